import type { TestApp } from './app.ts';
import { mailedToken } from './mail.ts';

// Organisations as the tests need them: registered, and their e-mail verified through the mailed
// link, as a real organisation does before it can bid.

export const VERIFICATION_SUBJECT = '请验证您的电子邮箱';

let address = 0;
/** Registrations are limited per address: each helper registration comes from an address of its own. */
const nextAddress = () => `10.250.${Math.floor(address / 250) % 250}.${(address++ % 250) + 1}`;

/** Follows the verification link mailed to the organisation's address. */
export async function verifyOrganizationEmail(t: TestApp, email: string): Promise<void> {
  const token = await mailedToken(t, email, VERIFICATION_SUBJECT);
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
  if (response.statusCode !== 200) throw new Error(`e-mail not verified: ${response.body}`);
}

/** Registers an organisation and verifies its e-mail; answers what it registered with. */
export async function registerOrganization<T extends { email: string }>(t: TestApp, organization: T): Promise<T> {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: organization, remoteAddress: nextAddress() });
  if (response.statusCode !== 201) throw new Error(`not registered: ${response.body}`);
  await verifyOrganizationEmail(t, organization.email);
  return organization;
}
