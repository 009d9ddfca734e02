import { apiToken, bearer, type TestApp } from './app.ts';
import { ALL_DECLARED, multipart, pdfWith } from './multipart.ts';
import { registerOrganization } from './organizations.ts';
import { organizationInput } from './uscc.ts';

export interface BidOptions {
  ratio?: number;
  /** the address the bid comes from (inject's default is 127.0.0.1) */
  remoteAddress?: string;
  /** the PDF's content; by default one that names the organisation */
  content?: Buffer;
}

/** Submits one bid for `lot` with one PDF; answers the bid's id, or throws with the refusal. */
export async function submitBid(t: TestApp, recruitmentId: string, token: string, lot: string, name: string, options: BidOptions = {}) {
  const body = multipart({ lot, publicBenefitRatio: String(options.ratio ?? 40), declarations: ALL_DECLARED, summary: '方案' }, [
    { filename: `${name}.pdf`, content: options.content ?? pdfWith(`bid of ${name}`) },
  ]);
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/v1/recruitments/${recruitmentId}/bids`,
    headers: { ...bearer(token), ...body.headers },
    payload: body.payload,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
  if (response.statusCode !== 201) throw new Error(`bid not submitted: ${response.body}`);
  return response.json().bidId as string;
}

/** A newly registered, verified organisation with an API token; `overrides` replace its fields. */
export async function createBidder(t: TestApp, overrides: Record<string, string> = {}) {
  const organization = await registerOrganization(t, organizationInput(overrides));
  return { ...organization, token: await apiToken(t, organization) };
}
