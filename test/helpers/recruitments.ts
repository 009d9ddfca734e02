import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { apiToken, bearer, createStaff, type TestApp, type TestUser } from './app.ts';
import { organizationInput } from './uscc.ts';
import { registerOrganization } from './organizations.ts';

/** A draft that keeps every rule, with the submission deadline `days` after the test clock's now. */
export function draftInput(t: TestApp, days = 30, overrides: Record<string, unknown> = {}) {
  const now = t.clock.now().getTime();
  return {
    title: '浙江省职工服务中心社会化运营合作伙伴招募',
    summary: '公开招募文艺演出、体育组织、公益活动策划合作伙伴。',
    body: '## 招募内容\n\n在职工服务中心开展**公益性**服务。',
    owner: '浙江省职工服务中心',
    lots: [
      { key: 'arts', name: '文艺演出', quota: 3, description: '剧场演出与艺术培训' },
      { key: 'sports', name: '体育组织', quota: 2, description: '' },
    ],
    criteria: [
      { key: 'plan', name: '公益服务方案', maxScore: 30, description: '' },
      { key: 'ability', name: '资质与专业能力', maxScore: 20, description: '' },
      { key: 'record', name: '业绩与信誉', maxScore: 20, description: '' },
      { key: 'share', name: '公益名额比例', maxScore: 15, description: '' },
      { key: 'revenue', name: '合作与收益方案', maxScore: 15, description: '' },
    ],
    agreementTermMonths: 36,
    submissionDeadline: new Date(now + days * DAY_MS).toISOString(),
    decisionRef: '浙职服〔2026〕12 号 党委会议纪要',
    ...overrides,
  };
}

export const PASSPHRASE = 'the opening passphrase';

/** What a key holder sends to unlock: its passphrase and the bid key fingerprint it compared. */
export async function unlockBody(t: TestApp, id: string, passphrase = PASSPHRASE) {
  const { bidKeyFingerprint } = (await t.app.inject({ url: `/api/v1/recruitments/${id}` })).json<{ bidKeyFingerprint: string }>();
  return { passphrase, bidKeyFingerprint };
}

/** Sets the user's opening passphrase through the API, as a key holder does once. */
export async function setOpeningKey(t: TestApp, token: string, passphrase = PASSPHRASE) {
  const response = await t.app.inject({ method: 'PUT', url: '/api/v1/me/opening-key', headers: bearer(token), payload: { passphrase } });
  if (response.statusCode !== 200) throw new Error(`opening key not set: ${response.body}`);
}

export interface Cast {
  agent: TestUser;
  agentToken: string;
  inspector: TestUser;
  inspectorToken: string;
  bidderToken: string;
  bidderEmail: string;
}

export async function createCast(t: TestApp): Promise<Cast> {
  const agent = await createStaff(t, 'agent');
  const inspector = await createStaff(t, 'inspector');
  const organization = organizationInput();
  await registerOrganization(t, organization);
  const agentToken = await apiToken(t, agent);
  const inspectorToken = await apiToken(t, inspector);
  await setOpeningKey(t, agentToken);
  await setOpeningKey(t, inspectorToken);
  return {
    agent,
    agentToken,
    inspector,
    inspectorToken,
    bidderToken: await apiToken(t, organization),
    bidderEmail: organization.email,
  };
}

export async function createDraft(t: TestApp, cast: Cast, overrides: Record<string, unknown> = {}, days = 30) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/recruitments',
    headers: bearer(cast.agentToken),
    payload: draftInput(t, days, overrides),
  });
  if (response.statusCode !== 201) throw new Error(`draft not created: ${response.body}`);
  return response.json<{ id: string }>().id;
}

export async function createPublished(t: TestApp, cast: Cast, days = 30, overrides: Record<string, unknown> = {}) {
  const id = await createDraft(t, cast, overrides, days);
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/v1/recruitments/${id}/publish`,
    headers: bearer(cast.agentToken),
    payload: { inspectorId: cast.inspector.id },
  });
  if (response.statusCode !== 200) throw new Error(`not published: ${response.body}`);
  return id;
}

export { outbox, type SentMail } from './mail.ts';
