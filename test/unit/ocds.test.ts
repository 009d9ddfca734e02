import { describe, expect, it } from 'vitest';
import { buildReleasePackage, OCID_PREFIX, type OcdsContext, type OcdsResult } from '../../server/domain/recruitments/ocds.ts';
import type { Announcement, Recruitment } from '../../server/domain/recruitments/types.ts';
import { schemaErrors } from '../helpers/ocds-schema.ts';

const CONTEXT: OcdsContext = {
  publicUrl: 'https://partners.example.org/',
  publisherName: '浙江省总工会职工服务阵地合作伙伴招募平台',
  now: new Date('2025-05-20T08:00:00Z'),
};
const ID = '0f8b2c1e-5d4a-4b7e-9c3f-2a1d6e8f9b70';
const OCID = `ocds-${OCID_PREFIX}-${ID}`;

// Deadlines as first announced; the amendment below moves both by a week.
const FIRST_SUBMISSION = '2025-04-21T01:30:00.000Z';
const FIRST_QUESTIONS = '2025-04-11T09:00:00.000Z';
const MOVED_SUBMISSION = '2025-04-28T01:30:00.000Z';
const MOVED_QUESTIONS = '2025-04-18T09:00:00.000Z';

function announcement(number: number, kind: Announcement['kind'], publishedAt: string, changes: Announcement['changes'] = []): Announcement {
  return { id: `a${number}`, number, kind, title: `公告${number}`, body: `第${number}号公告正文`, changes, publishedAt: new Date(publishedAt) };
}

const ORIGINAL = announcement(0, 'announcement', '2025-03-31T02:00:00Z');
const AMENDMENT = announcement(1, 'amendment', '2025-04-07T02:00:00Z', [
  { field: 'submissionDeadline', from: '2025-04-21T09:30:00+08:00', to: '2025-04-28T09:30:00+08:00' },
  { field: 'questionsDeadline', from: FIRST_QUESTIONS, to: MOVED_QUESTIONS },
]);
const CANCELLATION = announcement(2, 'cancellation', '2025-04-15T02:00:00Z');

function recruitment(overrides: Partial<Recruitment> = {}): Recruitment {
  return {
    id: ID,
    title: '杭州市职工服务驿站社会化运营合作伙伴招募',
    summary: '招募社会组织承接职工服务驿站的日常运营。',
    body: '## 招募内容',
    owner: '浙江省职工服务中心',
    agentId: 'agent-1',
    status: 'published',
    suspendedFrom: null,
    bidKeyFingerprint: '9982296a0c44d6636a1647dae41e6800e2481dc44d81ce6b6ab0bf3d8df7243c',
    evaluationRound: 1,
    minPublicBenefitRatio: 60,
    agreementTermMonths: 24,
    questionsDeadline: new Date(FIRST_QUESTIONS),
    submissionDeadline: new Date(FIRST_SUBMISSION),
    publicityDays: 5,
    decisionRef: null,
    inspectorId: null,
    escrowHolderId: null,
    createdAt: new Date('2025-03-20T02:00:00Z'),
    publishedAt: ORIGINAL.publishedAt,
    cancelledAt: null,
    cancelReason: null,
    cancelCountersignedAt: null,
    lots: [
      { key: 'west-lake', name: '西湖区驿站', quota: 2, description: '三个驿站的日常运营' },
      { key: 'binjiang', name: '滨江区驿站', quota: 1, description: '园区驿站的运营' },
    ],
    eligibility: [
      { key: 'registered', text: '依法登记的社会组织' },
      { key: 'no-record', text: '近三年无重大违法记录' },
    ],
    criteria: [
      { key: 'plan', name: '服务方案', maxScore: 40, description: '方案的可行性' },
      { key: 'team', name: '团队能力', maxScore: 35, description: '人员与经验' },
      { key: 'benefit', name: '公益性', maxScore: 25, description: '公益服务占比' },
    ],
    publications: [
      { id: 'p1', channel: 'trading_platform', name: '浙江省公共资源交易平台', publishedOn: '2025-03-31', url: 'https://ggzy.zj.gov.cn/公告/123' },
      { id: 'p2', channel: 'newspaper', name: '浙江工人日报', publishedOn: '2025-04-01', url: null },
    ],
    announcements: [ORIGINAL],
    answeredQuestions: [],
    ...overrides,
  };
}

/** A partnership with no review and no termination yet. */
const NOTHING_LATER = { terminatedAt: null, reviews: [], terminationNotice: null } as const;

const published = recruitment();
const amended = recruitment({
  questionsDeadline: new Date(MOVED_QUESTIONS),
  submissionDeadline: new Date(MOVED_SUBMISSION),
  announcements: [ORIGINAL, AMENDMENT],
  answeredQuestions: [
    { id: 'q1', text: '可以联合申报吗？', answer: '不可以。', askedAt: new Date('2025-04-09T02:00:00Z'), answeredAt: new Date('2025-04-10T02:00:00Z') },
  ],
});
const cancelled = recruitment({
  ...amended,
  status: 'cancelled',
  cancelledAt: CANCELLATION.publishedAt,
  cancelReason: '服务需求调整',
  announcements: [ORIGINAL, AMENDMENT, CANCELLATION],
});

describe('OCDS release package', () => {
  it.each([
    ['published', published],
    ['amended', amended],
    ['cancelled', cancelled],
  ])('validates the %s recruitment against the official release package schema', (_, fixture) => {
    const releasePackage = buildReleasePackage(fixture, CONTEXT);
    expect(schemaErrors(releasePackage)).toEqual([]);
    expect(releasePackage.uri).toBe(`https://partners.example.org/api/v1/recruitments/${ID}/ocds`);
    expect(releasePackage.publishedDate).toBe('2025-05-20T08:00:00.000Z');
    const ids = releasePackage.releases.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('also validates with a separate buyer, a suspension and a resumption', () => {
    const suspended = recruitment({
      ...amended,
      announcements: [
        ORIGINAL,
        AMENDMENT,
        announcement(2, 'suspension', '2025-04-10T02:00:00Z'),
        announcement(3, 'resumption', '2025-04-14T02:00:00Z', [
          { field: 'submissionDeadline', from: MOVED_SUBMISSION, to: '2025-05-06T01:30:00Z' },
        ]),
      ],
      submissionDeadline: new Date('2025-05-06T01:30:00Z'),
    });
    const releasePackage = buildReleasePackage(suspended, { ...CONTEXT, buyerName: '浙江省总工会' });
    expect(schemaErrors(releasePackage)).toEqual([]);
    expect(releasePackage.releases.map((r) => r.tag)).toEqual([['tender'], ['tenderAmendment'], ['tenderUpdate'], ['tenderUpdate']]);
    expect(releasePackage.releases.map((r) => r.tender.tenderPeriod.endDate)).toEqual([
      FIRST_SUBMISSION, MOVED_SUBMISSION, MOVED_SUBMISSION, '2025-05-06T01:30:00.000Z',
    ]);
    const release = releasePackage.releases[0]!;
    expect(release.buyer).toEqual({ id: 'buyer', name: '浙江省总工会' });
    expect(release.tender.procuringEntity).toEqual({ id: 'owner', name: '浙江省职工服务中心' });
    expect(release.parties.map((p) => p.roles)).toEqual([['buyer'], ['procuringEntity']]);
  });

  it('is checked by a validator that does catch broken packages', () => {
    const broken = structuredClone(buildReleasePackage(published, CONTEXT));
    const document = broken.releases[0]!.tender.documents[0]!;
    document.url = '/recruitments/relative';
    document.datePublished = '2025-03-31 10:00';
    expect(schemaErrors(broken)).toEqual([
      '/releases/0/tender/documents/0/url must match format "uri" {"format":"uri"}',
      '/releases/0/tender/documents/0/datePublished must match format "date-time" {"format":"date-time"}',
    ]);
  });

  it('publishes one release per announcement, in order, with its tag and id', () => {
    const { releases } = buildReleasePackage(cancelled, CONTEXT);
    expect(releases.map((r) => [r.id, r.tag, r.date, r.tender.status])).toEqual([
      [`${OCID}-0`, ['tender'], '2025-03-31T02:00:00.000Z', 'active'],
      [`${OCID}-1`, ['tenderAmendment'], '2025-04-07T02:00:00.000Z', 'active'],
      [`${OCID}-2`, ['tenderCancellation'], '2025-04-15T02:00:00.000Z', 'cancelled'],
    ]);
    expect(releases.every((r) => r.ocid === OCID && r.initiationType === 'tender' && r.language === 'zh')).toBe(true);
    expect(releases[2]!.tender.documents.map((d) => [d.id, d.documentType])).toEqual([
      ['announcement-0', 'tenderNotice'],
      ['announcement-1', 'clarifications'],
      ['announcement-2', 'cancellationDetails'],
      ['publication-p1', 'tenderNotice'],
      ['publication-p2', 'tenderNotice'],
    ]);
  });

  it('shows each release the deadlines of its time: the old ones before the amendment, the new ones after', () => {
    const { releases } = buildReleasePackage(amended, CONTEXT);
    const [tender, amendment] = releases;
    expect(tender!.tender.tenderPeriod).toEqual({ startDate: '2025-03-31T02:00:00.000Z', endDate: FIRST_SUBMISSION });
    expect(tender!.tender.enquiryPeriod.endDate).toBe(FIRST_QUESTIONS);
    expect(tender!.tender.amendments).toBeUndefined();
    expect(amendment!.tender.tenderPeriod.endDate).toBe(MOVED_SUBMISSION);
    expect(amendment!.tender.enquiryPeriod.endDate).toBe(MOVED_QUESTIONS);
    expect(amendment!.tender.amendments).toEqual([
      { id: '1', date: '2025-04-07T02:00:00.000Z', rationale: '公告1', description: '第1号公告正文', amendsReleaseID: `${OCID}-0`, releaseID: `${OCID}-1` },
    ]);
    // the question came in after the tender release and before the amendment release
    expect(tender!.tender.hasEnquiries).toBeUndefined();
    expect(amendment!.tender.hasEnquiries).toBe(true);
  });

  it('states the criteria with their scores, the eligibility conditions and the lots', () => {
    const { tender } = buildReleasePackage(published, CONTEXT).releases[0]!;
    expect(tender.awardCriteria).toBe('ratedCriteria');
    expect(tender.awardCriteriaDetails).toBe(
      '综合评分法，满分100分：\n1. 服务方案（40分）：方案的可行性\n2. 团队能力（35分）：人员与经验\n3. 公益性（25分）：公益服务占比',
    );
    expect(tender.eligibilityCriteria).toBe('1. 依法登记的社会组织\n2. 近三年无重大违法记录');
    expect(tender.items).toEqual([
      { id: 'west-lake', description: '西湖区驿站：三个驿站的日常运营', quantity: 2, unit: { name: '家' } },
      { id: 'binjiang', description: '滨江区驿站：园区驿站的运营', quantity: 1, unit: { name: '家' } },
    ]);
    const [platform, newspaper] = tender.documents.slice(1);
    expect(platform!.url).toBe('https://ggzy.zj.gov.cn/%E5%85%AC%E5%91%8A/123');
    expect(newspaper).toMatchObject({ format: 'offline/print', description: '2025-04-01刊登于浙江工人日报（报纸）' });
  });

  it('reports the outcome of an awarded or failed recruitment on the latest release', () => {
    const statuses = (status: Recruitment['status']) =>
      buildReleasePackage(recruitment({ ...amended, status }), CONTEXT).releases.map((r) => r.tender.status);
    expect(statuses('awarded')).toEqual(['active', 'complete']);
    expect(statuses('failed')).toEqual(['active', 'unsuccessful']);
    expect(statuses('suspended')).toEqual(['active', 'active']);
  });

  it('publishes the candidates as pending awards, then active awards with one pending contract each', () => {
    const CANDIDATES = announcement(2, 'candidates', '2025-05-10T02:00:00Z');
    const AWARD = announcement(3, 'award', '2025-05-14T02:00:00Z');
    const results = {
      candidates: [
        { round: 1, bidId: 'b1', lot: 'west-lake', organizationId: 'o1', organization: '西湖公益服务社', score: 88.5, rank: 1 },
        { round: 1, bidId: 'b2', lot: 'west-lake', organizationId: 'o2', organization: '湖畔体育俱乐部', score: 80, rank: 2 },
        { round: 1, bidId: 'b3', lot: 'binjiang', organizationId: 'o1', organization: '西湖公益服务社', score: 75.33, rank: 1 },
      ],
      awards: [] as (OcdsResult & { awardedAt: Date })[],
    };
    results.awards = results.candidates.map((c) => ({ ...c, awardedAt: AWARD.publishedAt }));
    const inPublicity = buildReleasePackage(recruitment({ ...amended, status: 'publicity', announcements: [ORIGINAL, AMENDMENT, CANDIDATES] }), CONTEXT, {
      ...results,
      awards: [],
    });
    expect(schemaErrors(inPublicity)).toEqual([]);
    const pending = inPublicity.releases.at(-1)!;
    expect(pending.tag).toEqual(['award']);
    expect(pending.awards?.map((a) => [a.status, a.items.map((i) => i.id)])).toEqual([
      ['pending', ['west-lake']],
      ['pending', ['west-lake']],
      ['pending', ['binjiang']],
    ]);
    // one party per organisation, even with two awards
    expect(pending.parties.filter((p) => p.roles.includes('supplier')).map((p) => p.name)).toEqual(['西湖公益服务社', '湖畔体育俱乐部']);

    const awarded = buildReleasePackage(
      recruitment({ ...amended, status: 'awarded', announcements: [ORIGINAL, AMENDMENT, CANDIDATES, AWARD] }),
      CONTEXT,
      results,
    );
    expect(schemaErrors(awarded)).toEqual([]);
    expect(awarded.releases.map((r) => r.id)).toEqual([`${OCID}-0`, `${OCID}-1`, `${OCID}-2`, `${OCID}-3`, `${OCID}-3-contract`]);
    const [award, contract] = awarded.releases.slice(-2);
    expect(award!.tag).toEqual(['awardUpdate']);
    expect(award!.awards?.every((a) => a.status === 'active' && a.date === AWARD.publishedAt.toISOString())).toBe(true);
    expect(award!.awards?.map((a) => a.id)).toEqual(pending.awards?.map((a) => a.id));
    expect(contract!.tag).toEqual(['contract']);
    expect(contract!.contracts?.map((c) => [c.awardID, c.status])).toEqual(award!.awards?.map((a) => [a.id, 'pending']));
    // the award completes the tender; the contract release repeats it
    expect([award!.tender.status, contract!.tender.status]).toEqual(['complete', 'complete']);
  });

  it('17: follows each partnership after the award: a signed agreement is an active contract for its term with its published services, a lapsed award a cancelled one', () => {
    const CANDIDATES = announcement(2, 'candidates', '2025-05-10T02:00:00Z');
    const AWARD = announcement(3, 'award', '2025-05-14T02:00:00Z');
    const candidates = [
      { round: 1, bidId: 'b1', lot: 'west-lake', organizationId: 'o1', organization: '西湖公益服务社', score: 88.5, rank: 1 },
      { round: 1, bidId: 'b2', lot: 'west-lake', organizationId: 'o2', organization: '湖畔体育俱乐部', score: 80, rank: 2 },
      { round: 1, bidId: 'b3', lot: 'binjiang', organizationId: 'o3', organization: '滨江文化中心', score: 75.33, rank: 1 },
    ];
    const signedAt = new Date('2025-05-20T02:00:00Z');
    const endsAt = new Date('2028-05-20T02:00:00Z');
    const lapsedAt = new Date('2025-06-14T02:00:00Z');
    const awarded = buildReleasePackage(
      recruitment({ ...amended, status: 'awarded', announcements: [ORIGINAL, AMENDMENT, CANDIDATES, AWARD] }),
      CONTEXT,
      { candidates, awards: candidates.map((c) => ({ ...c, awardedAt: AWARD.publishedAt })) },
      [
        { bidId: 'b1', status: 'active', signedAt, endsAt, lapsedAt: null, ...NOTHING_LATER },
        { bidId: 'b2', status: 'lapsed', signedAt: null, endsAt: null, lapsedAt, ...NOTHING_LATER },
        { bidId: 'b3', status: 'awarded', signedAt: null, endsAt: null, lapsedAt: null, ...NOTHING_LATER },
      ],
    );
    expect(schemaErrors(awarded)).toEqual([]);
    expect(awarded.releases.slice(-3).map((r) => [r.id, r.tag[0], r.date])).toEqual([
      [`${OCID}-3-contract`, 'contract', AWARD.publishedAt.toISOString()],
      [`${OCID}-3-contract-b1-signed`, 'implementation', signedAt.toISOString()],
      [`${OCID}-3-contract-b2-lapsed`, 'contractUpdate', lapsedAt.toISOString()],
    ]);
    const [signed] = awarded.releases.at(-2)!.contracts!;
    expect(signed).toMatchObject({
      awardID: 'award-b1',
      status: 'active',
      title: '合作协议：西湖公益服务社',
      dateSigned: signedAt.toISOString(),
      period: { startDate: signedAt.toISOString(), endDate: endsAt.toISOString() },
    });
    expect(signed!.implementation!.documents).toEqual([expect.objectContaining({ documentType: 'x_publishedServices', url: `https://partners.example.org/sites/${ID}` })]);
    expect(awarded.releases.at(-1)!.contracts!.map((c) => [c.awardID, c.status])).toEqual([['award-b2', 'cancelled']]);
  });

  it('17: a terminated partnership is a terminated contract with its notice; reviews are assessment milestones; an ended term is terminated too', () => {
    const CANDIDATES = announcement(2, 'candidates', '2025-05-10T02:00:00Z');
    const AWARD = announcement(3, 'award', '2025-05-14T02:00:00Z');
    const candidates = [
      { round: 1, bidId: 'b1', lot: 'west-lake', organizationId: 'o1', organization: '西湖公益服务社', score: 88.5, rank: 1 },
      { round: 1, bidId: 'b2', lot: 'west-lake', organizationId: 'o2', organization: '湖畔体育俱乐部', score: 80, rank: 2 },
      { round: 1, bidId: 'b3', lot: 'binjiang', organizationId: 'o3', organization: '滨江文化中心', score: 75.33, rank: 1 },
    ];
    const at = (iso: string) => new Date(iso);
    const signedAt = at('2025-05-20T02:00:00Z');
    const endsAt = at('2027-05-20T02:00:00Z');
    const review = (id: string, kind: 'stage' | 'rectification' | 'final', due: string, result: 'pass' | 'rectify' | 'fail' | null, completed: string | null) => ({
      id,
      kind,
      scheduledAt: at('2025-06-01T02:00:00Z'),
      dueAt: at(due),
      result,
      completedAt: completed ? at(completed) : null,
    });
    const terminatedAt = at('2026-09-01T02:00:00Z');
    const awarded = buildReleasePackage(
      recruitment({ ...amended, status: 'awarded', announcements: [ORIGINAL, AMENDMENT, CANDIDATES, AWARD] }),
      CONTEXT,
      { candidates, awards: candidates.map((c) => ({ ...c, awardedAt: AWARD.publishedAt })) },
      [
        {
          bidId: 'b1',
          status: 'terminated',
          signedAt,
          endsAt,
          lapsedAt: null,
          terminatedAt,
          reviews: [review('r1', 'stage', '2026-05-20T02:00:00Z', 'rectify', '2026-05-18T02:00:00Z'), review('r2', 'rectification', '2026-08-20T02:00:00Z', 'fail', '2026-08-25T02:00:00Z')],
          terminationNotice: { verifyCode: 'ZJ6T-RM7N-8P9Q-0R1S', issuedAt: terminatedAt },
        },
        {
          bidId: 'b2',
          status: 'active',
          signedAt,
          endsAt,
          lapsedAt: null,
          terminatedAt: null,
          reviews: [review('r3', 'stage', '2026-05-20T02:00:00Z', 'pass', '2026-05-19T02:00:00Z'), review('r4', 'final', '2027-05-20T02:00:00Z', null, null)],
          terminationNotice: null,
        },
        { bidId: 'b3', status: 'ended', signedAt, endsAt, lapsedAt: null, terminatedAt: null, reviews: [review('r5', 'final', '2027-05-20T02:00:00Z', 'pass', '2027-05-10T02:00:00Z')], terminationNotice: null },
      ],
    );
    expect(schemaErrors(awarded)).toEqual([]);
    const later = awarded.releases.filter((r) => r.id.startsWith(`${OCID}-3-contract-`));
    expect(later.map((r) => [r.id.slice(`${OCID}-3-contract-`.length), r.tag[0]])).toEqual([
      ['b1-signed', 'implementation'],
      ['b1-reviews', 'implementation'],
      ['b1-terminated', 'contractUpdate'],
      ['b2-signed', 'implementation'],
      ['b2-reviews', 'implementation'],
      ['b3-signed', 'implementation'],
      ['b3-reviews', 'implementation'],
      ['b3-ended', 'contractUpdate'],
    ]);
    const terminated = later.find((r) => r.id.endsWith('b1-terminated'))!;
    expect(terminated.date).toBe(terminatedAt.toISOString());
    const [contract] = terminated.contracts!;
    expect(contract).toMatchObject({ awardID: 'award-b1', status: 'terminated', period: { startDate: signedAt.toISOString(), endDate: terminatedAt.toISOString() } });
    expect(contract!.implementation!.documents.map((d) => [d.documentType, d.url])).toEqual([
      ['x_publishedServices', `https://partners.example.org/sites/${ID}`],
      ['x_terminationNotice', 'https://partners.example.org/verify/ZJ6T-RM7N-8P9Q-0R1S'],
    ]);
    expect(contract!.implementation!.milestones!.map((m) => [m.type, m.code, m.status, m.dueDate, m.dateMet ?? null])).toEqual([
      ['assessment', 'stage', 'notMet', '2026-05-20T02:00:00.000Z', null],
      ['assessment', 'rectification', 'notMet', '2026-08-20T02:00:00.000Z', null],
    ]);
    const reviewed = later.find((r) => r.id.endsWith('b2-reviews'))!;
    expect(reviewed.date).toBe('2026-05-19T02:00:00.000Z');
    expect(reviewed.contracts![0]!.status).toBe('active');
    expect(reviewed.contracts![0]!.implementation!.milestones!.map((m) => [m.status, m.dateMet ?? null])).toEqual([
      ['met', '2026-05-19T02:00:00.000Z'],
      ['scheduled', null],
    ]);
    const ended = later.find((r) => r.id.endsWith('b3-ended'))!;
    expect(ended.date).toBe(endsAt.toISOString());
    expect(ended.contracts![0]!.status).toBe('terminated');
  });

  it('cancels the candidates a redo withdraws and publishes the next round’s as other awards', () => {
    const CANDIDATES = announcement(2, 'candidates', '2025-05-10T02:00:00Z');
    const REDO = announcement(3, 'redo', '2025-05-12T02:00:00Z');
    const CANDIDATES_AGAIN = announcement(4, 'candidates', '2025-05-20T02:00:00Z');
    const AWARD = announcement(5, 'award', '2025-05-24T02:00:00Z');
    const candidate = (round: number, bidId: string, rank: number) => ({
      round,
      bidId,
      lot: 'west-lake',
      organizationId: `o-${bidId}`,
      organization: `单位${bidId}`,
      score: 90 - rank,
      rank,
    });
    const candidates = [candidate(1, 'b1', 1), candidate(1, 'b2', 2), candidate(2, 'b2', 1), candidate(2, 'b3', 2)];
    const awards = candidates.filter((c) => c.round === 2).map((c) => ({ ...c, awardedAt: AWARD.publishedAt }));
    const redone = buildReleasePackage(
      recruitment({ ...amended, status: 'awarded', evaluationRound: 2, announcements: [ORIGINAL, AMENDMENT, CANDIDATES, REDO, CANDIDATES_AGAIN, AWARD] }),
      CONTEXT,
      { candidates, awards },
    );
    expect(schemaErrors(redone)).toEqual([]);
    const [first, withdrawn, second, award, contract] = redone.releases.slice(2);
    expect([first, withdrawn, second, award, contract].map((r) => r!.tag[0])).toEqual(['award', 'awardCancellation', 'award', 'awardUpdate', 'contract']);
    expect(first!.awards?.map((a) => [a.id, a.status])).toEqual([
      ['award-b1', 'pending'],
      ['award-b2', 'pending'],
    ]);
    expect(withdrawn!.awards?.map((a) => [a.id, a.status])).toEqual([
      ['award-b1', 'cancelled'],
      ['award-b2', 'cancelled'],
    ]);
    expect(withdrawn!.tender.documents.find((d) => d.id === 'announcement-3')?.documentType).toBe('complaints');
    expect(second!.awards?.map((a) => [a.id, a.status])).toEqual([
      ['award-b2-round-2', 'pending'],
      ['award-b3-round-2', 'pending'],
    ]);
    expect(award!.awards?.map((a) => [a.id, a.status])).toEqual([
      ['award-b2-round-2', 'active'],
      ['award-b3-round-2', 'active'],
    ]);
    expect(contract!.contracts?.map((c) => c.awardID)).toEqual(['award-b2-round-2', 'award-b3-round-2']);
  });

  it('publishes no release of a draft', () => {
    const draft = buildReleasePackage(recruitment({ status: 'draft', publishedAt: null, announcements: [] }), CONTEXT);
    expect(draft.releases).toEqual([]);
    // the schema wants at least one release, which is why the route must not serve a draft
    expect(schemaErrors(draft)).toEqual(['/releases must NOT have fewer than 1 items {"limit":1}']);
  });
});
