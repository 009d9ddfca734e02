import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../server/db/client.ts';
import * as t from '../server/db/schema.ts';
import { usccCheckCharacter } from '../server/domain/accounts/uscc.ts';
import { appendAuditEntries, type AuditActor } from '../server/domain/audit/service.ts';
import { DAY_MS, DEFAULT_ELIGIBILITY } from '../server/domain/recruitments/rules.ts';
import type { RecruitmentStatus } from '../server/domain/recruitments/types.ts';
import { bidKeyFingerprint } from '../server/lib/bid-key-fingerprint.ts';
import { hashPassword } from '../server/lib/password-hashing.ts';
import { CRITERIA, evaluate } from './bench-alerts-evaluation.ts';
import {
  appendChained,
  AuditPlan,
  between,
  half,
  hex,
  HOUR,
  MINUTE,
  pick,
  plus,
  random,
  Rows,
  type Bid,
  type Organization,
  type Recruitment,
  type Version,
} from './bench-alerts-plan.ts';

// The centre `npm run bench -- alerts` reviews, written straight into a fresh, migrated database
// (bench scaffolding, not a way the portal ever writes): 200 recruitments at every stage, 2,400
// organisations, 20,000 bids with their versions, openings, panels and scores, awards, and
// exactly 100,000 audit entries hash-chained by the real appendAuditEntries. The data is clean but
// for the few conditions PLANTED names, so a review does all its reading and raises a handful.
// Sealed columns hold placeholders: no indicator can unseal a bid, so none reads them.

export const CENTRE_SIZE = { recruitments: 200, organizations: 2_400, bids: 20_000, auditEntries: 100_000 } as const;
const STATUSES: [RecruitmentStatus, number][] = [['awarded', 100], ['publicity', 25], ['evaluation', 35], ['published', 40]];
/** bids per recruitment still taking them; the opened ones share the rest of the 20,000 */
const BIDS_WHILE_PUBLISHED = 40;
const INSPECTORS = 8;
const EXPERTS = 60;
const MIN_RATIO = 20;
const LOT_NAMES = ['文艺演出', '体育组织', '公益活动策划', '职工培训'];
export const BENCH_PASSWORD = 'bench-password-1';

/** The irregularities planted for the red flags to find, each on one recruitment (by index). */
const PLANTED = {
  /** two or three organisations upload from one address (one of them in publicity, one still published) */
  sharedAddress: [3, 57, 101, 130, 170],
  /** …and at 130 within the last 10 minutes before the deadline */
  lastMinute: 130,
  sharedSession: 12,
  /** organisations 0 and 1 share a phone number and bid here only */
  sharedPhone: 20,
  /** an organisation registered 36 hours before the deadline */
  lateRegistration: 140,
  /** two organisations' bids carry the same file */
  sameFile: 40,
  /** an expert 30 points below the panel on one bid */
  scoreOutlier: 60,
  /** the deadline moved 14 days before it */
  lateAmendment: 180,
  /** the winner of the first lot offers exactly the minimum public-benefit share */
  winAtMinimum: 80,
};

export interface SeededCentre {
  supervisor: { email: string; password: string };
  /** each named inspector's sign-in, by user id */
  inspectors: Map<string, { email: string; password: string }>;
  /** a recruitment still taking bids, and an organisation that has not bid in it */
  stillOpen: { recruitment: Recruitment; organization: Organization };
  counts: { recruitments: number; organizations: number; bids: number; versions: number; scores: number; auditEntries: number };
}

export async function seedCentre(db: Db, now: Date, progress: (step: string) => void = () => {}): Promise<SeededCentre> {
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const rows = new Rows();
  const audit = new AuditPlan();
  const staff = (role: t.Role, email: string, name: string, extra: Partial<typeof t.users.$inferInsert> = {}): AuditActor => {
    const id = randomUUID();
    rows.add(t.users, { id, email, name, role, passwordHash, createdAt: plus(now, -700 * DAY_MS), ...extra });
    return { id, role };
  };
  const agents = [1, 2, 3].map((n) => staff('agent', `agent-${n}@centre.example.org`, `经办人${n}`));
  const inspectorEmail = (n: number) => `inspector-${n + 1}@centre.example.org`;
  const inspectors = Array.from({ length: INSPECTORS }, (_, n) => staff('inspector', inspectorEmail(n), `纪检监督员${n + 1}`));
  const supervisor = { email: 'supervisor@centre.example.org', password: BENCH_PASSWORD };
  staff('inspector', supervisor.email, '纪检组长', { supervisesAll: true });
  const experts = Array.from({ length: EXPERTS }, (_, n) => staff('expert', `expert-${n + 1}@experts.example.org`, `评审专家${n + 1}`, { specialties: ['社会工作'] }));

  const recruitments: Recruitment[] = [];
  for (const [status, count] of STATUSES) {
    for (let rank = 0; rank < count; rank++) {
      const index = recruitments.length;
      recruitments.push(plan(rows, audit, { index, status, rank, count, now, agent: pick(agents), inspector: inspectors[index % INSPECTORS]! }));
    }
  }
  const lateDeadline = recruitments[PLANTED.lateRegistration]!.deadline;
  const organizations = Array.from({ length: CENTRE_SIZE.organizations }, (_, i) =>
    organization(rows, audit, i, i === CENTRE_SIZE.organizations - 1 ? plus(lateDeadline, -36 * HOUR) : plus(now, -(400 + (i % 200)) * DAY_MS), passwordHash),
  );
  const late = organizations.at(-1)!;
  // organisations 0 and 1 (one phone), and the late one, bid only where PLANTED puts them
  const pool = organizations.slice(2, -1);
  const opened = recruitments.filter((r) => r.status !== 'published').length;
  const bidsWhenOpened = (CENTRE_SIZE.bids - (recruitments.length - opened) * BIDS_WHILE_PUBLISHED) / opened;
  for (const recruitment of recruitments) {
    const forced = recruitment.index === PLANTED.sharedPhone ? organizations.slice(0, 2) : recruitment.index === PLANTED.lateRegistration ? [late] : [];
    const bidders = new Set(forced);
    while (bidders.size < (recruitment.status === 'published' ? BIDS_WHILE_PUBLISHED : bidsWhenOpened)) bidders.add(pick(pool));
    recruitment.bids = [...bidders].map((bidder, n) => bid(recruitment, bidder, recruitment.lots[n % recruitment.lots.length]!.key, now));
  }
  plant(recruitments, late);
  for (const recruitment of recruitments) {
    writeBids(rows, audit, recruitment);
    if (recruitment.status !== 'published') evaluate(rows, audit, recruitment, experts);
  }
  padAuditLog(audit, recruitments);
  progress('planned');

  await db.transaction(async (tx) => {
    await rows.insert(tx, [t.users, t.organizations, t.recruitments, t.lots, t.criteria, t.eligibilityConditions, t.publications, t.announcements, t.questions]);
    await rows.insert(tx, [t.bids, t.bidVersions, t.bidFiles, t.openingRecords, t.openingFiles, t.openingAttendance, t.openingUnlocks]);
    progress('bids and openings written');
    await rows.insert(tx, [t.panelDraws, t.panelMembers, t.panelSubmissions, t.qualificationResults, t.scoreSheets, t.scores]);
    progress('evaluations written');
    const head = await appendChained(tx, audit, now);
    progress('audit log written');
    // the sign-offs hold the chain head they saw, so they go in once the log is written
    await rows.insert(tx, [t.openings, t.evaluationSignOffs, t.publicities, t.candidates, t.awardSignOffs, t.awards]);
    // the watch has read the whole log: what is raised from here on is the review's doing
    await tx.insert(t.alertWatch).values({ id: 1, reviewedSeq: head });
    // claims held as by another instance: the bench's server must not spend its start signing
    // the PDFs of 160 recruitments while the alerts list is measured (documents/claims.ts)
    const claimed = recruitments.filter((r) => r.status !== 'published').map((r) => ({ recruitmentId: r.id, holder: randomUUID(), until: plus(now, DAY_MS) }));
    await tx.insert(t.documentClaims).values(claimed);
  });

  const stillOpen = recruitments.at(-1)!;
  const bidding = new Set(stillOpen.bids.map((b) => b.organization));
  return {
    supervisor,
    inspectors: new Map(inspectors.map((inspector, n) => [inspector.id, { email: inspectorEmail(n), password: BENCH_PASSWORD }])),
    stillOpen: { recruitment: stillOpen, organization: pool.find((o) => !bidding.has(o))! },
    counts: {
      recruitments: recruitments.length,
      organizations: organizations.length,
      bids: rows.count(t.bids),
      versions: rows.count(t.bidVersions),
      scores: rows.count(t.scores),
      auditEntries: audit.events.length,
    },
  };
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'];
const GIVEN = [...'伟芳敏静丽强磊军洋勇艳杰'];
const CITIES = ['杭州', '宁波', '温州', '嘉兴', '湖州', '绍兴', '金华', '衢州', '舟山', '台州'];
const WORDS = ['阳光', '春晖', '同心', '启航', '和美', '众邦', '恒远', '青禾', '知行', '德馨', '欣和', '向善'];
const FIELDS = ['文化艺术', '体育健身', '社会工作', '职工服务', '教育培训', '健康管理', '公益发展', '志愿服务', '文旅策划', '心理咨询'];
const KINDS: [string, string, string][] = [['服务中心', '社会组织', '52330100'], ['有限公司', '企业', '91330100'], ['协会', '社会组织', '51330100']];

/** Organisation `i`, registered at `createdAt`: every name, phone, e-mail and representative of its own. */
function organization(rows: Rows, audit: AuditPlan, i: number, createdAt: Date, passwordHash: string): Organization {
  const [suffix, type, prefix] = KINDS[Math.floor(i / 1200) % KINDS.length]!;
  const name = `${CITIES[i % 10]}市${WORDS[Math.floor(i / 10) % 12]}${FIELDS[Math.floor(i / 120) % 10]}${suffix}`;
  const body = `${prefix}${String(i).padStart(8, '0')}X`;
  const person = (n: number) => `${SURNAMES[n % 20]}${GIVEN[Math.floor(n / 20) % 12]}${GIVEN[Math.floor(n / 240) % 12]}`;
  const userId = randomUUID();
  const id = randomUUID();
  rows.add(t.users, { id: userId, email: `bidder-${i}@orgs.example.org`, name, role: 'bidder', passwordHash, createdAt });
  rows.add(t.organizations, {
    id,
    userId,
    name,
    uscc: `${body}${usccCheckCharacter(body)}`,
    type,
    legalRepresentative: person(i),
    contactName: person(i + 1_000),
    phone: i < 2 ? '0571-86000001' : `0571-8${1_000_000 + i}`,
    email: `office-${i}@orgs.example.org`,
    address: `浙江省${CITIES[i % 10]}市文化路 ${i + 1} 号`,
    createdAt,
    emailVerifiedAt: plus(createdAt, HOUR),
  });
  const actor = { id: userId, role: 'bidder' };
  const ip = `58.${100 + (i >> 8)}.${i & 255}.17`;
  audit.add(createdAt, actor, 'organization.register', null, { target: `organization:${id}`, ip, details: { name } });
  audit.add(plus(createdAt, HOUR), actor, 'organization.email_verified', null, { target: `organization:${id}`, ip });
  return { id, userId, name, actor, ip };
}

interface Plan {
  index: number;
  status: RecruitmentStatus;
  /** its place among the `count` in its status: the lower, the older */
  rank: number;
  count: number;
  now: Date;
  agent: AuditActor;
  inspector: AuditActor;
}

/** A recruitment published 25 days before its deadline, the deadline set by its stage. */
function plan(rows: Rows, audit: AuditPlan, { index, status, rank, count, now, agent, inspector }: Plan): Recruitment {
  const daysAgo = status === 'awarded' ? 40 + (count - 1 - rank) * 3 : status === 'publicity' ? 6 + (rank % 4) : status === 'evaluation' ? 5 + (rank % 6) : -(3 + (rank % 13));
  const deadline = plus(now, -daysAgo * DAY_MS + (rank % 7) * HOUR);
  const publishedAt = plus(deadline, -25 * DAY_MS);
  const id = randomUUID();
  const publicKey = randomBytes(32).toString('base64');
  rows.add(t.recruitments, {
    id,
    agentId: agent.id,
    title: `${CITIES[index % 10]}市职工服务中心社会化运营合作伙伴招募（第 ${index + 1} 批）`,
    summary: '公开招募职工服务阵地社会化运营合作伙伴。',
    body: '## 招募内容\n\n在职工服务中心开展公益性服务。',
    owner: '浙江省职工服务中心',
    status,
    minPublicBenefitRatio: MIN_RATIO,
    agreementTermMonths: 36,
    questionsDeadline: plus(deadline, -10 * DAY_MS),
    submissionDeadline: deadline,
    publicityDays: 5,
    decisionRef: `浙职服〔2026〕${index + 1} 号`,
    inspectorId: inspector.id,
    createdAt: plus(publishedAt, -2 * DAY_MS),
    publishedAt,
    bidPublicKey: publicKey,
  });
  const lots = LOT_NAMES.slice(0, 2 + (index % 3)).map((name, position) => ({ key: `lot${position + 1}`, name, quota: 2 + (position % 2), position }));
  rows.add(t.lots, ...lots.map((lot) => ({ recruitmentId: id, ...lot, description: '' })));
  rows.add(t.criteria, ...CRITERIA.map(([key, name, maxScore], position) => ({ recruitmentId: id, position, key, name, maxScore, description: '' })));
  rows.add(t.eligibilityConditions, ...DEFAULT_ELIGIBILITY.map((condition, position) => ({ recruitmentId: id, position, ...condition })));
  rows.add(t.publications, { recruitmentId: id, channel: 'trading_platform', name: '浙江省公共资源交易平台', publishedOn: publishedAt.toISOString().slice(0, 10) });
  rows.add(t.announcements, { recruitmentId: id, number: 1, kind: 'announcement', title: '招募公告', body: '详见招募文件。', publishedAt, authorId: agent.id });
  audit.add(plus(publishedAt, -2 * DAY_MS), agent, 'recruitment.create', id, { target: `recruitment:${id}` });
  audit.add(publishedAt, agent, 'bid_key.issue', id, { details: { fingerprint: bidKeyFingerprint(publicKey) } });
  audit.add(publishedAt, agent, 'recruitment.publish', id, { details: { inspectorId: inspector.id } });
  audit.add(plus(publishedAt, DAY_MS), agent, 'recruitment.publication_add', id, { details: { channel: 'trading_platform' } });
  if (index === PLANTED.lateAmendment) {
    const at = plus(deadline, -14 * DAY_MS);
    const changes = [{ field: 'submissionDeadline' as const, from: plus(deadline, -5 * DAY_MS).toISOString(), to: deadline.toISOString() }];
    rows.add(t.announcements, { recruitmentId: id, number: 2, kind: 'amendment', title: '更正公告', body: '截止时间顺延。', changes, publishedAt: at, authorId: agent.id });
    audit.add(at, agent, 'recruitment.amend', id, { details: { changes } });
  }
  return { id, index, status, deadline, publishedAt, inspector, agent, lots: lots.map(({ key, quota }) => ({ key, quota })), bids: [], sheets: [] };
}

/** A bid with one to three versions, the last near the deadline more often than not. */
function bid(recruitment: Recruitment, organization: Organization, lotKey: string, now: Date): Bid {
  const bidId = randomUUID();
  // still taking bids: received so far; otherwise mostly in the last days, up to 12 minutes before
  const final =
    recruitment.deadline > now
      ? plus(recruitment.publishedAt, 4 * DAY_MS + random() * (now.getTime() - recruitment.publishedAt.getTime() - 4 * DAY_MS - HOUR))
      : plus(recruitment.deadline, -Math.max(12 * MINUTE, random() ** 3 * 20 * DAY_MS));
  const roll = random();
  const count = roll < 0.02 ? 3 : roll < 0.12 ? 2 : 1;
  const versions = Array.from({ length: count }, (_, n): Version => ({
    row: {
      id: randomUUID(),
      bidId,
      version: n + 1,
      receivedAt: plus(final, -(count - 1 - n) * between(1, 1.5) * DAY_MS),
      sealedDataKey: { placeholder: 'bench' },
      sealedFields: { placeholder: 'bench' },
      sealedManifest: { placeholder: 'bench' },
      digest: hex(32),
      bidKeyFingerprint: hex(32),
      uploaderId: organization.userId,
      // an organisation bids from its office, now and then from a phone
      ip: random() < 0.85 ? organization.ip : `223.104.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
      sessionId: randomUUID(),
      userAgent: pick(USER_AGENTS),
    },
    files: ['服务方案.pdf', '资质证明.pdf'].map((name) => ({ id: randomUUID(), name, size: Math.floor(between(2e5, 8e6)), sha256: hex(32) })),
  }));
  return { id: bidId, organization, lotKey, versions, ratio: half(between(MIN_RATIO + 0.5, 40), 100), quality: between(55, 90), qualified: random() > 0.03 };
}

const USER_AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604.1', 'Mozilla/5.0 (Macintosh) Firefox/127.0'];

/** Sets the irregularities of PLANTED on the bids planned (the shared phone is set at registration). */
function plant(recruitments: Recruitment[], late: Organization) {
  const final = (b: Bid) => b.versions.at(-1)!;
  PLANTED.sharedAddress.forEach((index, n) => {
    const { bids, deadline } = recruitments[index]!;
    bids.slice(0, 2 + (n % 2)).forEach((b, k) => {
      final(b).row.ip = `218.108.${30 + n}.8`;
      if (index === PLANTED.lastMinute) final(b).row.receivedAt = plus(deadline, -(3 + 2 * k) * MINUTE);
    });
  });
  const [first, second] = recruitments[PLANTED.sharedSession]!.bids;
  final(second!).row.sessionId = final(first!).row.sessionId;
  const [one, other] = recruitments[PLANTED.sameFile]!.bids;
  final(other!).files[0]!.sha256 = final(one!).files[0]!.sha256;
  Object.assign(recruitments[PLANTED.scoreOutlier]!.bids[0]!, { qualified: true, outlier: true });
  Object.assign(recruitments[PLANTED.winAtMinimum]!.bids[0]!, { ratio: MIN_RATIO, quality: 98, qualified: true });
  const lateRecruitment = recruitments[PLANTED.lateRegistration]!;
  const lateBid = lateRecruitment.bids.find((b) => b.organization === late)!;
  lateBid.versions = [final(lateBid)];
  Object.assign(final(lateBid).row, { version: 1, receivedAt: plus(lateRecruitment.deadline, -DAY_MS) });
}

/** The bids as received, each version after its sign-in; two questions asked and answered. */
function writeBids(rows: Rows, audit: AuditPlan, recruitment: Recruitment) {
  const { id: recruitmentId, publishedAt, agent } = recruitment;
  for (const b of recruitment.bids) {
    const last = b.versions.at(-1)!;
    rows.add(t.bids, { id: b.id, recruitmentId, organizationId: b.organization.id, lotKey: b.lotKey, status: 'submitted', currentVersion: b.versions.length, updatedAt: last.row.receivedAt });
    for (const { row, files } of b.versions) {
      rows.add(t.bidVersions, row);
      rows.add(t.bidFiles, ...files.map(({ id }, position) => ({ id, versionId: row.id, position, iv: hex(12), tag: hex(16) })));
      const { actor } = b.organization;
      audit.add(plus(row.receivedAt, -between(2, 20) * MINUTE), actor, 'auth.login', null, { target: `user:${actor.id}`, ip: row.ip, details: { kind: 'page' } });
      audit.add(row.receivedAt, actor, 'bid.submit', recruitmentId, {
        target: `bid:${b.id}`,
        ip: row.ip,
        details: { version: row.version, lot: b.lotKey, digest: row.digest, files: files.length, sessionId: row.sessionId },
      });
    }
  }
  const asker = recruitment.bids[0]!.organization;
  for (const day of [3, 6]) {
    const askedAt = plus(publishedAt, day * DAY_MS);
    const answeredAt = plus(askedAt, DAY_MS);
    const questionId = randomUUID();
    rows.add(t.questions, { id: questionId, recruitmentId, askerId: asker.userId, text: '服务场地是否提供？', askedAt, answer: '提供。', answeredAt, answeredBy: agent.id });
    audit.add(askedAt, asker.actor, 'question.ask', recruitmentId, { target: `question:${questionId}`, ip: asker.ip });
    audit.add(answeredAt, agent, 'question.answer', recruitmentId, { target: `question:${questionId}` });
  }
}

/** The log filled to exactly CENTRE_SIZE.auditEntries with the experts' sheet saves, recruitment by recruitment. */
function padAuditLog(audit: AuditPlan, recruitments: Recruitment[]) {
  const sheets = recruitments.flatMap((r) => r.sheets.map((sheet) => ({ ...sheet, recruitmentId: r.id })));
  const missing = CENTRE_SIZE.auditEntries - audit.events.length;
  if (missing < 0 || missing > sheets.length) throw new Error(`the centre's plan makes ${audit.events.length} audit entries: change its sizes`);
  for (const { at, expert, bidId, recruitmentId } of sheets.slice(0, missing)) {
    audit.add(plus(at, -2 * MINUTE), expert, 'score.save', recruitmentId, { target: `bid:${bidId}` });
  }
}

/**
 * One more bid, as the portal records one (the version, its files, the sign-in and `bid.submit`
 * entries through the real appendAuditEntries): what the watch then reviews.
 */
export async function submitOneMoreBid(db: Db, { stillOpen }: SeededCentre, now: Date) {
  const { recruitment, organization: bidder } = stillOpen;
  const b = bid(recruitment, bidder, recruitment.lots[0]!.key, now);
  const { row, files } = b.versions.at(-1)!;
  Object.assign(row, { version: 1, receivedAt: now });
  await db.transaction(async (tx) => {
    await tx.insert(t.bids).values({ id: b.id, recruitmentId: recruitment.id, organizationId: bidder.id, lotKey: b.lotKey, status: 'submitted', currentVersion: 1, updatedAt: now });
    await tx.insert(t.bidVersions).values(row);
    await tx.insert(t.bidFiles).values(files.map(({ id }, position) => ({ id, versionId: row.id, position, iv: hex(12), tag: hex(16) })));
    await appendAuditEntries(
      tx,
      [
        { actor: bidder.actor, action: 'auth.login', target: `user:${bidder.userId}`, ip: row.ip, details: { kind: 'page' } },
        { actor: bidder.actor, action: 'bid.submit', target: `bid:${b.id}`, recruitmentId: recruitment.id, ip: row.ip, details: { version: 1, lot: b.lotKey, digest: row.digest, files: files.length, sessionId: row.sessionId } },
      ],
      now,
    );
  });
}
