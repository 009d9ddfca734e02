import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  ANNOUNCEMENT_KINDS,
  PUBLICATION_CHANNELS,
  RECRUITMENT_STATUSES,
  type AnnouncementChange,
} from '../domain/recruitments/types.ts';
import { ALERT_SEVERITIES, ALERT_STATUSES, type AlertEvidence } from '../domain/inspection/types.ts';
import { CHANGE_REQUEST_ANSWERS, PARTNERSHIP_STATUSES, REVIEW_KINDS, REVIEW_RESULTS } from '../domain/partnerships/types.ts';
import { ORGANIZATION_RECORD_KINDS } from '../domain/records/types.ts';
import { OFFER_GROUPS } from '../domain/offers/types.ts';
import { PLACE_KINDS } from '../domain/satisfaction/types.ts';
import type { CriterionRecord, NegativeListAnswer, PlacesRecord, SatisfactionRecord } from '../domain/reviews/types.ts';

export const ROLES = ['admin', 'agent', 'bidder', 'expert', 'inspector'] as const;
export type Role = (typeof ROLES)[number];

export const roleEnum = pgEnum('role', ROLES);
export const sessionKindEnum = pgEnum('session_kind', ['page', 'api']);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // stored lower-cased by the accounts service
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: roleEnum('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    specialties: text('specialties').array().notNull().default(sql`'{}'::text[]`),
    affiliationUscc: text('affiliation_uscc'),
    active: boolean('active').notNull().default(true),
    /** an inspector an administrator granted the supervising view of all the centre's recruitments */
    supervisesAll: boolean('supervises_all').notNull().default(false),
    /** whether the daily digest is mailed to this person (each person may turn it off) */
    dailyDigest: boolean('daily_digest').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    uscc: text('uscc').notNull(),
    type: text('type').notNull(),
    legalRepresentative: text('legal_representative').notNull(),
    contactName: text('contact_name').notNull(),
    phone: text('phone').notNull(),
    email: text('email').notNull(),
    address: text('address').notNull(),
    createdAt: createdAt(),
    // set when the organisation follows the link mailed at registration; it cannot bid before
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('organizations_uscc_key').on(t.uscc),
    uniqueIndex('organizations_user_id_key').on(t.userId),
  ],
);

// A sign-in: a page session (cookie) or an API bearer token. Only the SHA-256 of the secret is
// stored, so a copy of the database does not let anyone act as a signed-in user.
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: sessionKindEnum('kind').notNull(),
    tokenHash: text('token_hash').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_id_idx').on(t.userId)],
);

export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'password_reset'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];
export const accountTokenPurposeEnum = pgEnum('account_token_purpose', ACCOUNT_TOKEN_PURPOSES);

// A mailed single-use link: e-mail verification or password reset. Only the SHA-256 of the token
// is stored, so a copy of the database does not let anyone follow a link.
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    purpose: accountTokenPurposeEnum('purpose').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('account_tokens_token_hash_key').on(t.tokenHash), index('account_tokens_user_id_idx').on(t.userId)],
);

// One row per counted attempt (sign-in, registration, reset request, passphrase) under a limit:
// kept in the database so that every server process counts the same attempts and a restart
// forgets none. Rows older than the longest window are deleted as new ones arrive.
export const rateLimitAttempts = pgTable(
  'rate_limit_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** which limit, e.g. 'sign_in_pair', 'sign_in_address' */
    scope: text('scope').notNull(),
    /** what is limited within the scope: an address, an account and address pair, a holder */
    key: text('key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('rate_limit_attempts_scope_key_at_idx').on(t.scope, t.key, t.at)],
);

// Append-only and hash-chained: each entry's hash covers its content and the previous hash.
// A trigger (migration 0001) refuses UPDATE and DELETE.
/**
 * Audit actions that change nothing an anonymous visitor is shown: a bid's submission and
 * withdrawal (sealed until the opening) and downloads. The public pages' version leaves them out
 * (domain/recruitments/public-versions.ts), so that a deadline rush does not renew the cached
 * recruitment page with every bid; the partial indexes below hold the rest.
 */
export const NOT_PUBLIC_ACTIONS = ['bid.submit', 'bid.withdraw', 'bid.download', 'document.download'] as const;
export const publicActionCondition = (action: unknown) =>
  sql`${action} not in (${sql.raw(NOT_PUBLIC_ACTIONS.map((name) => `'${name}'`).join(', '))})`;

export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    target: text('target'),
    recruitmentId: uuid('recruitment_id'),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_log_recruitment_id_idx').on(t.recruitmentId),
    index('audit_log_actor_id_idx').on(t.actorId),
    // the latest public change of a recruitment, and of any recruitment, each one index probe
    index('audit_log_public_by_recruitment_idx').on(t.recruitmentId, t.seq).where(publicActionCondition(t.action)),
    index('audit_log_public_idx').on(t.seq).where(sql`${t.recruitmentId} is not null and ${publicActionCondition(t.action)}`),
  ],
);

export const recruitmentStatusEnum = pgEnum('recruitment_status', RECRUITMENT_STATUSES);
export const publicationChannelEnum = pgEnum('publication_channel', PUBLICATION_CHANNELS);
export const announcementKindEnum = pgEnum('announcement_kind', ANNOUNCEMENT_KINDS);

const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

// Only the transitions of domain/recruitments/state.ts write `status` and `suspended_from`.
export const recruitments = pgTable(
  'recruitments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    body: text('body').notNull(),
    owner: text('owner').notNull(),
    status: recruitmentStatusEnum('status').notNull().default('draft'),
    suspendedFrom: recruitmentStatusEnum('suspended_from'),
    minPublicBenefitRatio: numeric('min_public_benefit_ratio', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    agreementTermMonths: integer('agreement_term_months').notNull(),
    questionsDeadline: instant('questions_deadline').notNull(),
    submissionDeadline: instant('submission_deadline').notNull(),
    publicityDays: integer('publicity_days').notNull(),
    decisionRef: text('decision_ref'),
    inspectorId: uuid('inspector_id').references(() => users.id),
    escrowHolderId: uuid('escrow_holder_id').references(() => users.id),
    createdAt: createdAt(),
    publishedAt: instant('published_at'),
    cancelledAt: instant('cancelled_at'),
    cancelReason: text('cancel_reason'),
    cancelCountersignedBy: uuid('cancel_countersigned_by').references(() => users.id),
    cancelCountersignedAt: instant('cancel_countersigned_at'),
    cancelCountersignChainHead: text('cancel_countersign_chain_head'),
    /** the seq of that head: verification checks the log still has it there */
    cancelCountersignChainSeq: bigint('cancel_countersign_chain_seq', { mode: 'number' }),
    /** X25519 public key bids are sealed to; its private key exists only as holders' shares */
    bidPublicKey: text('bid_public_key'),
    /** the evaluation round under way: 1, then one more for each redo after an upheld challenge */
    evaluationRound: integer('evaluation_round').notNull().default(1),
  },
  (t) => [
    index('recruitments_agent_id_idx').on(t.agentId),
    index('recruitments_inspector_id_idx').on(t.inspectorId),
    index('recruitments_escrow_holder_id_idx').on(t.escrowHolderId),
    index('recruitments_cancel_countersigned_by_idx').on(t.cancelCountersignedBy),
    index('recruitments_status_idx').on(t.status),
    check('recruitments_agreement_term', sql`${t.agreementTermMonths} between 1 and 60`),
    check('recruitments_publicity_days', sql`${t.publicityDays} >= 3`),
    check('recruitments_min_ratio', sql`${t.minPublicBenefitRatio} between 0 and 100`),
    check('recruitments_questions_before_submission', sql`${t.questionsDeadline} <= ${t.submissionDeadline}`),
    check('recruitments_suspended_from', sql`(${t.status} = 'suspended') = (${t.suspendedFrom} is not null)`),
    check('recruitments_evaluation_round', sql`${t.evaluationRound} >= 1`),
  ],
);

export const lotStatusEnum = pgEnum('lot_status', ['open', 'failed']);

export const lots = pgTable(
  'lots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    position: integer('position').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    quota: integer('quota').notNull(),
    description: text('description').notNull(),
    /** a lot with fewer than 3 valid bids at the opening fails while the others go on */
    status: lotStatusEnum('status').notNull().default('open'),
  },
  (t) => [
    uniqueIndex('lots_recruitment_key').on(t.recruitmentId, t.key),
    check('lots_quota', sql`${t.quota} >= 1`),
  ],
);

export const eligibilityConditions = pgTable(
  'eligibility_conditions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    position: integer('position').notNull(),
    key: text('key').notNull(),
    text: text('text').notNull(),
  },
  (t) => [uniqueIndex('eligibility_conditions_recruitment_key').on(t.recruitmentId, t.key)],
);

export const criteria = pgTable(
  'criteria',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    position: integer('position').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    maxScore: numeric('max_score', { precision: 5, scale: 1, mode: 'number' }).notNull(),
    description: text('description').notNull(),
  },
  (t) => [
    uniqueIndex('criteria_recruitment_key').on(t.recruitmentId, t.key),
    check('criteria_max_score', sql`${t.maxScore} > 0 and ${t.maxScore} <= 100`),
  ],
);

/** Where else the announcement was published (public resource trading platform, union website, newspaper). */
export const publications = pgTable(
  'publications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    channel: publicationChannelEnum('channel').notNull(),
    name: text('name').notNull(),
    publishedOn: date('published_on', { mode: 'string' }).notNull(),
    url: text('url'),
    createdAt: createdAt(),
  },
  (t) => [index('publications_recruitment_id_idx').on(t.recruitmentId)],
);

export const announcements = pgTable(
  'announcements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    number: integer('number').notNull(),
    kind: announcementKindEnum('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    changes: jsonb('changes').$type<AnnouncementChange[]>().notNull().default([]),
    publishedAt: instant('published_at').notNull(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    uniqueIndex('announcements_recruitment_number').on(t.recruitmentId, t.number),
    index('announcements_author_id_idx').on(t.authorId),
    index('announcements_published_at_idx').on(t.publishedAt),
  ],
);

export const questions = pgTable(
  'questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    // never shown to anyone but the agent and the inspector: answers are published anonymously
    askerId: uuid('asker_id')
      .notNull()
      .references(() => users.id),
    text: text('text').notNull(),
    askedAt: instant('asked_at').notNull(),
    answer: text('answer'),
    answeredAt: instant('answered_at'),
    answeredBy: uuid('answered_by').references(() => users.id),
  },
  (t) => [
    index('questions_recruitment_id_idx').on(t.recruitmentId),
    index('questions_asker_id_idx').on(t.askerId),
    index('questions_answered_by_idx').on(t.answeredBy),
  ],
);

export const follows = pgTable(
  'follows',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.recruitmentId, t.userId] }), index('follows_user_id_idx').on(t.userId)],
);

/**
 * A key holder's opening key: an X25519 key pair whose private key is wrapped by the holder's
 * passphrase (scrypt + AES-256-GCM, lib/sealing.ts). The server cannot unwrap it alone.
 */
export const openingKeys = pgTable('opening_keys', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id),
  publicKey: text('public_key').notNull(),
  holderKey: jsonb('holder_key').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const keyHolderRoleEnum = pgEnum('key_holder_role', ['agent', 'inspector', 'escrow']);

/**
 * The escrow key holder an administrator designates (SPEC §4.1), never the agent: an active
 * administrator with an opening key. One row at most; each publication seals its third share to
 * the holder designated at that moment and records who it was (recruitments.escrow_holder_id).
 */
export const escrowDesignation = pgTable(
  'escrow_designation',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    holderId: uuid('holder_id')
      .notNull()
      .references(() => users.id),
    designatedBy: uuid('designated_by')
      .notNull()
      .references(() => users.id),
    designatedAt: timestamp('designated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    check('escrow_designation_singleton', sql`${t.singleton}`),
    index('escrow_designation_holder_id_idx').on(t.holderId),
    index('escrow_designation_designated_by_idx').on(t.designatedBy),
  ],
);

/** One Shamir share of a recruitment's bid key per holder, sealed to that holder's opening key. */
export const bidKeyShares = pgTable(
  'bid_key_shares',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    holderId: uuid('holder_id')
      .notNull()
      .references(() => users.id),
    holderRole: keyHolderRoleEnum('holder_role').notNull(),
    sealedShare: jsonb('sealed_share').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.recruitmentId, t.holderId] }), index('bid_key_shares_holder_id_idx').on(t.holderId)],
);
export const bidStatusEnum = pgEnum('bid_status', ['submitted', 'withdrawn']);

/**
 * An organisation's bid for one lot: one row per organisation × lot, whose versions are the
 * submissions; the latest version is the one opened. Declared values live only sealed in the
 * versions, never in clear.
 */
export const bids = pgTable(
  'bids',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    lotKey: text('lot_key').notNull(),
    status: bidStatusEnum('status').notNull(),
    currentVersion: integer('current_version').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('bids_one_per_organization_and_lot').on(t.recruitmentId, t.organizationId, t.lotKey),
    index('bids_organization_id_idx').on(t.organizationId),
  ],
);

export const bidVersions = pgTable(
  'bid_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    version: integer('version').notNull(),
    receivedAt: instant('received_at').notNull(),
    /** the bid's data key, sealed to the recruitment's bid public key */
    sealedDataKey: jsonb('sealed_data_key').$type<Record<string, unknown>>().notNull(),
    /** public-benefit share, eligibility declarations and summary, encrypted under the data key */
    sealedFields: jsonb('sealed_fields').$type<Record<string, unknown>>().notNull(),
    /**
     * the digest salt and each file's name, size and SHA-256, encrypted under the data key; null
     * only for versions recorded before manifests existed, which the migration allowed only once opened
     */
    sealedManifest: jsonb('sealed_manifest').$type<Record<string, unknown>>(),
    /** SHA-256 over the whole bid and its sealed salt, as printed on the receipt */
    digest: text('digest').notNull(),
    /** of the bid key the data key was sealed to, as printed on the receipt */
    bidKeyFingerprint: text('bid_key_fingerprint').notNull(),
    // evidence for the inspector's red flags (SPEC §7)
    uploaderId: uuid('uploader_id')
      .notNull()
      .references(() => users.id),
    ip: text('ip').notNull(),
    sessionId: uuid('session_id'),
    userAgent: text('user_agent'),
  },
  (t) => [
    uniqueIndex('bid_versions_bid_version').on(t.bidId, t.version),
    index('bid_versions_uploader_id_idx').on(t.uploaderId),
    index('bid_versions_ip_idx').on(t.ip),
  ],
);

export const bidFiles = pgTable(
  'bid_files',
  {
    id: uuid('id').primaryKey(),
    versionId: uuid('version_id')
      .notNull()
      .references(() => bidVersions.id),
    position: integer('position').notNull(),
    // name, size and SHA-256 are sealed in the version's manifest; opening_files has them once opened
    iv: text('iv').notNull(),
    tag: text('tag').notNull(),
  },
  (t) => [uniqueIndex('bid_files_version_position').on(t.versionId, t.position)],
);

/** The opening session of a recruitment (开标): started by the agent at the deadline. */
export const openings = pgTable(
  'openings',
  {
    recruitmentId: uuid('recruitment_id')
      .primaryKey()
      .references(() => recruitments.id),
    startedAt: instant('started_at').notNull(),
    startedBy: uuid('started_by')
      .notNull()
      .references(() => users.id),
    openedAt: instant('opened_at'),
    signedOffAt: instant('signed_off_at'),
    signedOffBy: uuid('signed_off_by').references(() => users.id),
    signOffComment: text('sign_off_comment'),
    /** the audit chain head the inspector saw when signing, and whether the chain verified */
    signOffChainHead: text('sign_off_chain_head'),
    signOffChainSeq: bigint('sign_off_chain_seq', { mode: 'number' }),
    signOffChainOk: boolean('sign_off_chain_ok'),
    /** why the escrow holder's share was used, given by the escrow holder when unlocking */
    escrowReason: text('escrow_reason'),
  },
  (t) => [index('openings_started_by_idx').on(t.startedBy), index('openings_signed_off_by_idx').on(t.signedOffBy)],
);

export const openingAttendance = pgTable(
  'opening_attendance',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    attendedAt: instant('attended_at').notNull(),
    ip: text('ip'),
  },
  (t) => [primaryKey({ columns: [t.recruitmentId, t.userId] }), index('opening_attendance_user_id_idx').on(t.userId)],
);

/** Who has entered a passphrase at an opening, and when: the record, kept after the opening. */
export const openingUnlocks = pgTable(
  'opening_unlocks',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    holderId: uuid('holder_id')
      .notNull()
      .references(() => users.id),
    unlockedAt: instant('unlocked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.recruitmentId, t.holderId] }), index('opening_unlocks_holder_id_idx').on(t.holderId)],
);

/**
 * Shares opened by their holders at an opening in progress, so that holders may enter on different
 * server processes: encrypted with a secret the database does not hold (sealEnteredShare), valid
 * for ENTERED_SHARE_LIFETIME_MS, and deleted when the bids are opened with them.
 */
export const openingEnteredShares = pgTable(
  'opening_entered_shares',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    holderId: uuid('holder_id')
      .notNull()
      .references(() => users.id),
    sealedShare: jsonb('sealed_share').notNull(),
    enteredAt: instant('entered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.recruitmentId, t.holderId] }), index('opening_entered_shares_holder_id_idx').on(t.holderId)],
);

/** One line of the opening record per bid opened: what the receipt said and what was recomputed. */
export const openingRecords = pgTable(
  'opening_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    versionId: uuid('version_id')
      .notNull()
      .references(() => bidVersions.id),
    position: integer('position').notNull(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    organizationName: text('organization_name').notNull(),
    lotKey: text('lot_key').notNull(),
    submittedAt: instant('submitted_at').notNull(),
    digest: text('digest').notNull(),
    recomputedDigest: text('recomputed_digest'),
    digestVerified: boolean('digest_verified').notNull(),
    /** null when the bid could not be decrypted */
    publicBenefitRatio: numeric('public_benefit_ratio', { precision: 5, scale: 2, mode: 'number' }),
    /** the bid's data key once opened, so the panel can read the documents later (every read audited) */
    openedDataKey: text('opened_data_key'),
  },
  (t) => [
    uniqueIndex('opening_records_recruitment_bid').on(t.recruitmentId, t.bidId),
    index('opening_records_bid_id_idx').on(t.bidId),
    index('opening_records_version_id_idx').on(t.versionId),
    index('opening_records_organization_id_idx').on(t.organizationId),
  ],
);

/**
 * Each opened bid file as the opening decrypted it: the name from the sealed manifest, the size
 * and SHA-256 recomputed from the plaintext. Known only from the opening on, as the files are.
 */
export const openingFiles = pgTable(
  'opening_files',
  {
    fileId: uuid('file_id')
      .primaryKey()
      .references(() => bidFiles.id),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    versionId: uuid('version_id')
      .notNull()
      .references(() => bidVersions.id),
    position: integer('position').notNull(),
    /** the client's file name, shown only; never part of a path */
    name: text('name').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
  },
  (t) => [
    index('opening_files_recruitment_id_idx').on(t.recruitmentId),
    index('opening_files_version_id_idx').on(t.versionId),
    // the inspector's red flag: identical file digests across organisations (SPEC §7)
    index('opening_files_sha256_idx').on(t.sha256),
  ],
);

export const objections = pgTable(
  'objections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    text: text('text').notNull(),
    raisedAt: instant('raised_at').notNull(),
    answer: text('answer'),
    answeredAt: instant('answered_at'),
    answeredBy: uuid('answered_by').references(() => users.id),
  },
  (t) => [
    index('objections_recruitment_id_idx').on(t.recruitmentId),
    index('objections_organization_id_idx').on(t.organizationId),
    index('objections_answered_by_idx').on(t.answeredBy),
  ],
);

// The evaluation (评审, issue 5): the panel draw, its members, the chair's qualification review,
// the experts' scores and the inspector's sign-off. An upheld challenge can send the recruitment
// back to evaluation (重新评审): the same panel evaluates again in a new round. Every row of the
// review, the scores, the sign-offs, the publicity and the challenges belongs to one round; the
// rows of earlier rounds are kept as they were.

/** The draw of a recruitment's panel: what anyone needs to recompute it (evaluation/draw.ts). */
export const panelDraws = pgTable(
  'panel_draws',
  {
    recruitmentId: uuid('recruitment_id')
      .primaryKey()
      .references(() => recruitments.id),
    /** 32 random bytes, hex */
    seed: text('seed').notNull(),
    /** expert ids in the order the sequence is drawn from */
    candidates: jsonb('candidates').$type<string[]>().notNull(),
    specialties: text('specialties').array().notNull(),
    size: integer('size').notNull(),
    drawnAt: instant('drawn_at').notNull(),
    drawnBy: uuid('drawn_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [index('panel_draws_drawn_by_idx').on(t.drawnBy), check('panel_draws_size', sql`${t.size} >= 5 and ${t.size} % 2 = 1`)],
);

/**
 * A supplementary draw (补充抽取, evaluation/draw.ts step 6): once the panel's sequence is
 * exhausted and a seat is vacant, a new seed over the experts never drawn for the panel; its
 * sequence continues the panel's. Numbered 1, 2, … per recruitment.
 */
export const panelSupplementaryDraws = pgTable(
  'panel_supplementary_draws',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => panelDraws.recruitmentId),
    number: integer('number').notNull(),
    /** 32 random bytes, hex */
    seed: text('seed').notNull(),
    /** expert ids in the order the sequence is drawn from */
    candidates: jsonb('candidates').$type<string[]>().notNull(),
    reason: text('reason').notNull(),
    drawnAt: instant('drawn_at').notNull(),
    drawnBy: uuid('drawn_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.recruitmentId, t.number] }),
    index('panel_supplementary_draws_drawn_by_idx').on(t.drawnBy),
    check('panel_supplementary_draws_number', sql`${t.number} >= 1`),
  ],
);

export const panelMemberStatusEnum = pgEnum('panel_member_status', ['pending', 'serving', 'recused']);

/**
 * One expert drawn for a panel: `seat` 1 chairs. A recused expert keeps the row (and the seat it
 * held) as history; the expert drawn next in the sequence takes that seat. An expert replaced
 * (at a redo, or by the agent because it could not serve) is recused too, with the reason, and
 * sat from `fromRound` to `untilRound`: the member sits in round r when fromRound <= r and it is
 * not recused or untilRound >= r.
 */
export const panelMembers = pgTable(
  'panel_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** 1-based position in the draw sequence */
    position: integer('position').notNull(),
    seat: integer('seat').notNull(),
    status: panelMemberStatusEnum('status').notNull().default('pending'),
    declaredAt: instant('declared_at'),
    declarationNote: text('declaration_note'),
    /** the evaluation round from which the member sits (a replacement drawn at a redo: the new round) */
    fromRound: integer('from_round').notNull().default(1),
    /** the last round a replaced member sat in; null when it sat in none, and for every other member */
    untilRound: integer('until_round'),
    /** why the member was replaced (at a redo, or because it could not serve); null if it was not */
    replacedReason: text('replaced_reason'),
  },
  (t) => [
    uniqueIndex('panel_members_recruitment_user').on(t.recruitmentId, t.userId),
    uniqueIndex('panel_members_recruitment_position').on(t.recruitmentId, t.position),
    uniqueIndex('panel_members_one_per_seat').on(t.recruitmentId, t.seat).where(sql`${t.status} <> 'recused'`),
    index('panel_members_user_id_idx').on(t.userId),
  ],
);

/** A panel member's scores submitted (and locked) in a round, and its confirmation of that round's result. */
export const panelSubmissions = pgTable(
  'panel_submissions',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => panelMembers.id),
    round: integer('round').notNull(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    submittedAt: instant('submitted_at').notNull(),
    confirmedAt: instant('confirmed_at'),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.round] }), index('panel_submissions_recruitment_id_idx').on(t.recruitmentId)],
);

/** A redo of the evaluation (重新评审) after an upheld challenge: `round` is the round it began. */
export const evaluationRedos = pgTable(
  'evaluation_redos',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    round: integer('round').notNull(),
    reason: text('reason').notNull(),
    redoneAt: instant('redone_at').notNull(),
    redoneBy: uuid('redone_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.recruitmentId, t.round] }),
    index('evaluation_redos_redone_by_idx').on(t.redoneBy),
    check('evaluation_redos_round', sql`${t.round} >= 2`),
  ],
);

/** The chair's qualification review of one opened bid: pass or fail per eligibility condition. */
export const qualificationResults = pgTable(
  'qualification_results',
  {
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    round: integer('round').notNull().default(1),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    results: jsonb('results').$type<Record<string, 'pass' | 'fail'>>().notNull(),
    qualified: boolean('qualified').notNull(),
    reason: text('reason').notNull(),
    reviewedBy: uuid('reviewed_by')
      .notNull()
      .references(() => users.id),
    reviewedAt: instant('reviewed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bidId, t.round] }),
    index('qualification_results_recruitment_id_idx').on(t.recruitmentId),
    index('qualification_results_reviewed_by_idx').on(t.reviewedBy),
  ],
);

/** An expert's sheet for one bid: the comment (the written justification an outlier needs). */
export const scoreSheets = pgTable(
  'score_sheets',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
    round: integer('round').notNull().default(1),
    comment: text('comment').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.expertId, t.bidId, t.round] }),
    index('score_sheets_bid_id_idx').on(t.bidId),
    index('score_sheets_recruitment_id_idx').on(t.recruitmentId),
  ],
);

export const scores = pgTable(
  'scores',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => users.id),
    round: integer('round').notNull().default(1),
    criterionKey: text('criterion_key').notNull(),
    score: numeric('score', { precision: 4, scale: 1, mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('scores_one_per_expert_bid_criterion_round').on(t.expertId, t.bidId, t.criterionKey, t.round),
    index('scores_bid_id_idx').on(t.bidId),
    index('scores_recruitment_id_idx').on(t.recruitmentId),
    check('scores_half_points', sql`${t.score} >= 0 and ${t.score} * 2 = floor(${t.score} * 2)`),
  ],
);

/** The inspector's sign-off of a round of the evaluation, with the audit chain head seen. */
export const evaluationSignOffs = pgTable(
  'evaluation_sign_offs',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    round: integer('round').notNull().default(1),
    signedOffAt: instant('signed_off_at').notNull(),
    signedOffBy: uuid('signed_off_by')
      .notNull()
      .references(() => users.id),
    comment: text('comment').notNull(),
    chainHead: text('chain_head').notNull(),
    /** the seq of the head; null on sign-offs recorded before it was kept (then found by hash) */
    chainSeq: bigint('chain_seq', { mode: 'number' }),
    chainOk: boolean('chain_ok').notNull(),
  },
  (t) => [primaryKey({ columns: [t.recruitmentId, t.round] }), index('evaluation_sign_offs_signed_off_by_idx').on(t.signedOffBy)],
);

// Publicity, challenges and the award (issue 6). Candidates and awards are copied from the
// evaluation result when they are announced, so what was published never changes afterwards.

/** The candidate publicity (公示) of a round of a recruitment: when it began and when it ends. */
export const publicities = pgTable(
  'publicities',
  {
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    round: integer('round').notNull().default(1),
    announcedAt: instant('announced_at').notNull(),
    announcedBy: uuid('announced_by')
      .notNull()
      .references(() => users.id),
    /** exactly publicityDays × 24 h after announcedAt, on the server's clock */
    endsAt: instant('ends_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.recruitmentId, t.round] }),
    index('publicities_announced_by_idx').on(t.announcedBy),
    check('publicities_ends_after_start', sql`${t.endsAt} > ${t.announcedAt}`),
  ],
);

/** A candidate (中选候选人) as announced: a recommended bid of the evaluation, frozen. */
export const candidates = pgTable(
  'candidates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    round: integer('round').notNull().default(1),
    lotKey: text('lot_key').notNull(),
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    organizationName: text('organization_name').notNull(),
    /** the trimmed mean of the experts' totals */
    score: numeric('score', { precision: 6, scale: 2, mode: 'number' }).notNull(),
    rank: integer('rank').notNull(),
    publicBenefitRatio: numeric('public_benefit_ratio', { precision: 5, scale: 2, mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('candidates_recruitment_round_bid').on(t.recruitmentId, t.round, t.bidId),
    uniqueIndex('candidates_recruitment_round_lot_rank').on(t.recruitmentId, t.round, t.lotKey, t.rank),
    index('candidates_bid_id_idx').on(t.bidId),
    index('candidates_organization_id_idx').on(t.organizationId),
  ],
);

/** A challenge (质疑) raised by a bidding organisation during publicity, answered by the agent. */
export const challenges = pgTable(
  'challenges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    /** the evaluation round whose publicity it was raised in */
    round: integer('round').notNull().default(1),
    // shown to the agent and the inspector only, never publicly
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    raisedBy: uuid('raised_by')
      .notNull()
      .references(() => users.id),
    text: text('text').notNull(),
    raisedAt: instant('raised_at').notNull(),
    answer: text('answer'),
    /** an upheld challenge blocks the award until the evaluation is redone */
    upheld: boolean('upheld'),
    answeredAt: instant('answered_at'),
    answeredBy: uuid('answered_by').references(() => users.id),
  },
  (t) => [
    index('challenges_recruitment_id_idx').on(t.recruitmentId),
    index('challenges_organization_id_idx').on(t.organizationId),
    index('challenges_raised_by_idx').on(t.raisedBy),
    index('challenges_answered_by_idx').on(t.answeredBy),
    check('challenges_answered_together', sql`(${t.answer} is null) = (${t.upheld} is null) and (${t.answer} is null) = (${t.answeredAt} is null)`),
  ],
);

/**
 * The inspector's sign-off of the award, with the audit chain head seen. One per recruitment: it
 * needs a round without an upheld challenge, and a redo needs one, so no redo follows it.
 */
export const awardSignOffs = pgTable(
  'award_sign_offs',
  {
    recruitmentId: uuid('recruitment_id')
      .primaryKey()
      .references(() => recruitments.id),
    signedOffAt: instant('signed_off_at').notNull(),
    signedOffBy: uuid('signed_off_by')
      .notNull()
      .references(() => users.id),
    comment: text('comment').notNull(),
    chainHead: text('chain_head').notNull(),
    /** the seq of the head; null on sign-offs recorded before it was kept (then found by hash) */
    chainSeq: bigint('chain_seq', { mode: 'number' }),
    chainOk: boolean('chain_ok').notNull(),
  },
  (t) => [index('award_sign_offs_signed_off_by_idx').on(t.signedOffBy)],
);

/** A selected organisation (入选单位) of a lot, recorded when the agent awards. */
export const awards = pgTable(
  'awards',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    lotKey: text('lot_key').notNull(),
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    rank: integer('rank').notNull(),
    score: numeric('score', { precision: 6, scale: 2, mode: 'number' }).notNull(),
    awardedAt: instant('awarded_at').notNull(),
  },
  (t) => [
    uniqueIndex('awards_recruitment_bid').on(t.recruitmentId, t.bidId),
    index('awards_bid_id_idx').on(t.bidId),
    index('awards_organization_id_idx').on(t.organizationId),
  ],
);

// Signed documents (issue 6): each rendered, signed and stored once; the row records what a
// verifier compares against (the SHA-256 of the stored, signed file) and the template it came from.

export const documentKindEnum = pgEnum('document_kind', [
  'award_notice',
  'rejection_notice',
  'draft_agreement',
  'opening_record',
  'evaluation_report',
  'announcement',
  'audit_checkpoint',
  'agreement',
  'satisfaction_poster',
  'review_result',
  'termination_notice',
]);
export const documentStatusEnum = pgEnum('document_status', ['issued', 'mailed']);

export const documents = pgTable(
  'documents',
  {
    id: uuid('id').primaryKey(),
    /** null for an audit checkpoint, which belongs to no recruitment */
    recruitmentId: uuid('recruitment_id').references(() => recruitments.id),
    kind: documentKindEnum('kind').notNull(),
    /**
     * what the document is about within the recruitment: a bid id, 'recruitment', or for an
     * evaluation report of round n ≥ 2 'round-n'; one document per kind and subject. An audit
     * checkpoint's: 'daily-YYYY-MM-DD' (Beijing date) or 'request-<uuid>'
     */
    subject: text('subject').notNull(),
    bidId: uuid('bid_id').references(() => bids.id),
    organizationId: uuid('organization_id').references(() => organizations.id),
    /** formatted, e.g. 7K3M-QX9P-4D2A-H8RT */
    verifyCode: text('verify_code').notNull(),
    /** SHA-256 of the signed file as stored and delivered */
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    title: text('title').notNull(),
    templateVersion: text('template_version').notNull(),
    templateSha256: text('template_sha256').notNull(),
    storageName: text('storage_name').notNull(),
    /** the audit chain head (and its seq) the document prints: sign-off records and checkpoints */
    chainSeq: bigint('chain_seq', { mode: 'number' }),
    chainHead: text('chain_head'),
    issuedAt: instant('issued_at').notNull(),
    status: documentStatusEnum('status').notNull().default('issued'),
    mailedAt: instant('mailed_at'),
    /** the message that delivers it, recorded before it is sent (one per document) */
    mailId: uuid('mail_id').references(() => outgoingMails.id),
  },
  (t) => [
    uniqueIndex('documents_verify_code_key').on(t.verifyCode),
    uniqueIndex('documents_one_per_kind_and_subject').on(t.recruitmentId, t.kind, t.subject),
    // one daily checkpoint per day, however many server processes try to issue it
    uniqueIndex('documents_one_checkpoint_per_subject').on(t.subject).where(sql`${t.recruitmentId} is null`),
    index('documents_bid_id_idx').on(t.bidId),
    index('documents_organization_id_idx').on(t.organizationId),
    check('documents_mailed', sql`(${t.status} = 'mailed') = (${t.mailedAt} is not null)`),
    // compared as text: a migration may not use an enum value added in the same transaction
    check('documents_checkpoint_without_recruitment', sql`(${t.kind}::text = 'audit_checkpoint') = (${t.recruitmentId} is null)`),
  ],
);

// Several server processes may share one database (issue 13): the one producing a recruitment's
// documents holds its claim, a lease renewed as it goes; one whose holder died runs out and is
// taken over. Times are the database's, the one clock all instances share.
export const documentClaims = pgTable('document_claims', {
  recruitmentId: uuid('recruitment_id')
    .primaryKey()
    .references(() => recruitments.id),
  /** one per claim taken: a process's concurrent runs exclude each other too */
  holder: uuid('holder').notNull(),
  until: instant('until').notNull(),
});

// A message recorded before it is sent, once per purpose and recipient: a retry after a crash
// sends it again with the same Message-ID (and, to the file outbox, under the same file name).
export const outgoingMails = pgTable(
  'outgoing_mails',
  {
    id: uuid('id').primaryKey(),
    /** what the message is for, e.g. 'documents:<ids>' */
    purpose: text('purpose').notNull(),
    recipient: text('recipient').notNull(),
    createdAt: instant('created_at').notNull(),
    sentAt: instant('sent_at'),
  },
  (t) => [uniqueIndex('outgoing_mails_purpose_recipient_key').on(t.purpose, t.recipient)],
);

// The inspector's red flags (SPEC §7), raised by the areas that see them (inspection/alerts.ts).

export const alertSeverityEnum = pgEnum('alert_severity', ALERT_SEVERITIES);
export const alertStatusEnum = pgEnum('alert_status', ALERT_STATUSES);

export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** what was seen, e.g. 'escrow_opening'; named in zh-CN by lib/labels.ts */
    indicator: text('indicator').notNull(),
    severity: alertSeverityEnum('severity').notNull(),
    /** null for an alert about no one recruitment, which every inspector sees */
    recruitmentId: uuid('recruitment_id').references(() => recruitments.id),
    subject: text('subject').notNull(),
    evidence: jsonb('evidence').$type<AlertEvidence[]>().notNull(),
    raisedAt: instant('raised_at').notNull(),
    status: alertStatusEnum('status').notNull().default('open'),
    note: text('note'),
    /**
     * what one finding of a computed indicator is about (e.g. the shared address), so that it is
     * raised once and a dismissed one stays dismissed; null for alerts raised by a refusal
     */
    findingKey: text('finding_key'),
    /** who dismissed or escalated the alert, and when */
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: instant('decided_at'),
  },
  (t) => [
    index('alerts_recruitment_id_idx').on(t.recruitmentId),
    index('alerts_raised_at_idx').on(t.raisedAt),
    index('alerts_decided_by_idx').on(t.decidedBy),
    uniqueIndex('alerts_one_per_finding').on(t.indicator, t.recruitmentId, t.findingKey),
  ],
);

/**
 * How far the red-flag watch has read the audit log: every recruitment with entries after this seq
 * is reviewed again (inspection/review.ts). One row.
 */
export const alertWatch = pgTable(
  'alert_watch',
  {
    id: integer('id').primaryKey().default(1),
    reviewedSeq: bigint('reviewed_seq', { mode: 'number' }).notNull(),
  },
  (t) => [check('alert_watch_one_row', sql`${t.id} = 1`)],
);

/** Each daily digest mailed, once per person and day whichever instance sends it. */
export const digestsSent = pgTable(
  'digests_sent',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** the day (Asia/Shanghai) the digest covers, as YYYY-MM-DD */
    day: text('day').notNull(),
    sentAt: instant('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

// A restore in progress (scripts/restore.ts): inserted with the restored rows in one transaction,
// removed only once every file and the audit chain have been verified against the backup's
// manifest. The server refuses to start while it exists; its role may read it, never clear it.

export const restorePending = pgTable('restore_pending', {
  id: integer('id').primaryKey().default(1),
  /** the backup being restored: its folder and the time it was taken */
  source: text('source').notNull(),
  takenAt: instant('taken_at').notNull(),
  startedAt: instant('started_at').notNull(),
}, (t) => [check('restore_pending_one_row', sql`${t.id} = 1`)]);

// The partnership (issue 17): one per award, from the award to the end of the agreement's term.
// Its status is written only by partnerships/transition.ts; the draft agreement's versions and
// the organisation's requests for changes are kept, never overwritten.

export const partnershipStatusEnum = pgEnum('partnership_status', PARTNERSHIP_STATUSES);
export const changeRequestAnswerEnum = pgEnum('change_request_answer', CHANGE_REQUEST_ANSWERS);

export const partnerships = pgTable(
  'partnerships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    awardId: uuid('award_id')
      .notNull()
      .references(() => awards.id),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    bidId: uuid('bid_id')
      .notNull()
      .references(() => bids.id),
    lotKey: text('lot_key').notNull(),
    status: partnershipStatusEnum('status').notNull().default('awarded'),
    /** the deadline the award notice states: unsigned by then, the award lapses */
    signBy: instant('sign_by').notNull(),
    /** months, from signing; the current version's, never above 60 */
    termMonths: integer('term_months').notNull(),
    /** the version the organisation accepted, which the final agreement reproduces */
    acceptedVersion: integer('accepted_version'),
    acceptedAt: instant('accepted_at'),
    signedAt: instant('signed_at'),
    endsAt: instant('ends_at'),
    lapsedAt: instant('lapsed_at'),
    /** when the centre terminated the agreement after a failed rectification (its notice's effective date) */
    terminatedAt: instant('terminated_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('partnerships_award_key').on(t.awardId),
    index('partnerships_recruitment_id_idx').on(t.recruitmentId),
    index('partnerships_organization_id_idx').on(t.organizationId),
    index('partnerships_bid_id_idx').on(t.bidId),
    check('partnerships_term', sql`${t.termMonths} between 1 and 60`),
    check('partnerships_signed', sql`(${t.signedAt} is null) = (${t.endsAt} is null)`),
    check('partnerships_terminated', sql`(${t.status} = 'terminated') = (${t.terminatedAt} is not null)`),
  ],
);

/** A version of the draft agreement: 1 is the one issued at the award, each later one a revision. */
export const agreementVersions = pgTable(
  'agreement_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnershipId: uuid('partnership_id')
      .notNull()
      .references(() => partnerships.id),
    number: integer('number').notNull(),
    /** what the revision changed (null for version 1) */
    revision: text('revision'),
    termMonths: integer('term_months').notNull(),
    /** the signed PDF; null for version 1 until the documents queue has issued it */
    documentId: uuid('document_id').references(() => documents.id),
    issuedAt: instant('issued_at').notNull(),
    issuedBy: uuid('issued_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('agreement_versions_number_key').on(t.partnershipId, t.number),
    index('agreement_versions_document_id_idx').on(t.documentId),
    index('agreement_versions_issued_by_idx').on(t.issuedBy),
  ],
);

/** The organisation's request for changes to a version, and the agent's answer. */
export const agreementChangeRequests = pgTable(
  'agreement_change_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnershipId: uuid('partnership_id')
      .notNull()
      .references(() => partnerships.id),
    versionNumber: integer('version_number').notNull(),
    text: text('text').notNull(),
    requestedAt: instant('requested_at').notNull(),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => users.id),
    answer: changeRequestAnswerEnum('answer'),
    answerText: text('answer_text'),
    answeredAt: instant('answered_at'),
    answeredBy: uuid('answered_by').references(() => users.id),
  },
  (t) => [
    index('agreement_change_requests_partnership_id_idx').on(t.partnershipId),
    index('agreement_change_requests_requested_by_idx').on(t.requestedBy),
    index('agreement_change_requests_answered_by_idx').on(t.answeredBy),
    // at most one unanswered request per partnership
    uniqueIndex('agreement_change_requests_one_open').on(t.partnershipId).where(sql`${t.answeredAt} is null`),
    check('agreement_change_requests_answered', sql`(${t.answer} is null) = (${t.answeredAt} is null)`),
  ],
);

// A partner's published services (issue 17, Shaanxi art. 17): each service of its catalogue for
// the site, and every version of it, never overwritten — a change of price or of places is a new
// version, so the history shows what was promised when.

export const partnerOffers = pgTable(
  'partner_offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnershipId: uuid('partnership_id')
      .notNull()
      .references(() => partnerships.id),
    createdAt: createdAt(),
  },
  (t) => [index('partner_offers_partnership_id_idx').on(t.partnershipId)],
);

const price = (name: string) => numeric(name, { precision: 10, scale: 2, mode: 'number' }).notNull();

export const offerVersions = pgTable(
  'offer_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    offerId: uuid('offer_id')
      .notNull()
      .references(() => partnerOffers.id),
    number: integer('number').notNull(),
    service: text('service').notNull(),
    openingHours: text('opening_hours').notNull(),
    procedure: text('procedure').notNull(),
    /** yuan; the price for anyone outside the groups */
    listPrice: price('list_price'),
    modelWorkerPrice: price('model_worker_price'),
    hardshipPrice: price('hardship_price'),
    unionMemberPrice: price('union_member_price'),
    allWorkersPrice: price('all_workers_price'),
    /** places per month: all of them, and those free or discounted for workers */
    placesPerMonth: integer('places_per_month').notNull(),
    freePlaces: integer('free_places').notNull(),
    discountedPlaces: integer('discounted_places').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    recordedBy: uuid('recorded_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    uniqueIndex('offer_versions_number_key').on(t.offerId, t.number),
    index('offer_versions_recorded_by_idx').on(t.recordedBy),
    check(
      'offer_versions_prices',
      sql`${t.listPrice} >= 0 and ${t.modelWorkerPrice} between 0 and ${t.listPrice} and ${t.hardshipPrice} between 0 and ${t.listPrice} and ${t.unionMemberPrice} between 0 and ${t.listPrice} and ${t.allWorkersPrice} between 0 and ${t.listPrice}`,
    ),
    check('offer_versions_places', sql`${t.freePlaces} >= 0 and ${t.discountedPlaces} >= 0 and ${t.freePlaces} + ${t.discountedPlaces} <= ${t.placesPerMonth}`),
  ],
);

// Worker satisfaction (issue 17): the proof-of-use codes a partner hands over with a service (each
// one a place delivered), and the rating a worker gives with one, at most once per code. Neither
// holds who the worker is; the rating keeps only keyed hashes of the address and device it came
// from, to limit and reveal stuffing.

export const workerGroupEnum = pgEnum('worker_group', OFFER_GROUPS);
export const placeKindEnum = pgEnum('place_kind', PLACE_KINDS);

export const serviceUses = pgTable(
  'service_uses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnershipId: uuid('partnership_id')
      .notNull()
      .references(() => partnerships.id),
    offerId: uuid('offer_id')
      .notNull()
      .references(() => partnerOffers.id),
    group: workerGroupEnum('group').notNull(),
    place: placeKindEnum('place').notNull(),
    /** SHA-256 of the code the worker was given; the code itself is shown once, never stored */
    codeHash: text('code_hash').notNull(),
    usedAt: instant('used_at').notNull(),
    issuedBy: uuid('issued_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    uniqueIndex('service_uses_code_hash_key').on(t.codeHash),
    index('service_uses_partnership_id_idx').on(t.partnershipId, t.usedAt),
    index('service_uses_offer_id_idx').on(t.offerId),
    index('service_uses_issued_by_idx').on(t.issuedBy),
  ],
);

export const satisfactionRatings = pgTable(
  'satisfaction_ratings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceUseId: uuid('service_use_id')
      .notNull()
      .references(() => serviceUses.id),
    partnershipId: uuid('partnership_id')
      .notNull()
      .references(() => partnerships.id),
    score: integer('score').notNull(),
    /** the group the worker says they belong to */
    group: workerGroupEnum('group').notNull(),
    comment: text('comment'),
    ratedAt: instant('rated_at').notNull(),
    /** HMAC of the client address and of the device cookie under a server key: limits, not identity */
    addressKey: text('address_key').notNull(),
    deviceKey: text('device_key').notNull(),
  },
  (t) => [
    uniqueIndex('satisfaction_ratings_service_use_key').on(t.serviceUseId),
    index('satisfaction_ratings_partnership_id_idx').on(t.partnershipId, t.ratedAt),
    index('satisfaction_ratings_address_key_idx').on(t.addressKey, t.ratedAt),
    index('satisfaction_ratings_device_key_idx').on(t.deviceKey, t.ratedAt),
    check('satisfaction_ratings_score', sql`${t.score} between 1 and 5`),
  ],
);

// The partner's performance reviews (issue 17): scheduled by the agent, completed once with their
// result. A rectification review follows the review that asked for the rectification.

export const reviewKindEnum = pgEnum('review_kind', REVIEW_KINDS);
export const reviewResultEnum = pgEnum('review_result', REVIEW_RESULTS);

export const partnershipReviews = pgTable(
  'partnership_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnershipId: uuid('partnership_id')
      .notNull()
      .references(() => partnerships.id),
    kind: reviewKindEnum('kind').notNull(),
    /** the period whose ratings and delivered places the review counts: [from, to) */
    periodFrom: instant('period_from').notNull(),
    periodTo: instant('period_to').notNull(),
    /** when the review is to be completed */
    dueAt: instant('due_at').notNull(),
    /** the review whose result asked for this rectification review */
    followsReviewId: uuid('follows_review_id'),
    scheduledAt: instant('scheduled_at').notNull(),
    scheduledBy: uuid('scheduled_by')
      .notNull()
      .references(() => users.id),
    result: reviewResultEnum('result'),
    completedAt: instant('completed_at'),
    completedBy: uuid('completed_by').references(() => users.id),
    /** the form as completed (reviews/rules.ts): each criterion's weight, points and who scored */
    criteria: jsonb('criteria').$type<CriterionRecord[]>(),
    satisfaction: jsonb('satisfaction').$type<SatisfactionRecord>(),
    places: jsonb('places').$type<PlacesRecord>(),
    negativeList: jsonb('negative_list').$type<NegativeListAnswer[]>(),
    /** the third-party assessor, when one scored */
    assessorName: text('assessor_name'),
    totalScore: numeric('total_score', { precision: 5, scale: 2, mode: 'number' }),
    remarks: text('remarks'),
    /** a stage review's result `rectify`: the deadline of the rectification */
    rectifyBy: instant('rectify_by'),
    /** the signed 考核结果通知书 */
    documentId: uuid('document_id').references(() => documents.id),
  },
  (t) => [
    index('partnership_reviews_partnership_id_idx').on(t.partnershipId, t.dueAt),
    // one open review per partnership at a time
    uniqueIndex('partnership_reviews_one_open').on(t.partnershipId).where(sql`${t.completedAt} is null`),
    index('partnership_reviews_document_id_idx').on(t.documentId),
    check('partnership_reviews_form', sql`(${t.totalScore} is null) = (${t.completedAt} is null)`),
    check('partnership_reviews_rectify_by', sql`(${t.result} is not distinct from 'rectify') = (${t.rectifyBy} is not null)`),
    index('partnership_reviews_follows_review_id_idx').on(t.followsReviewId),
    index('partnership_reviews_scheduled_by_idx').on(t.scheduledBy),
    index('partnership_reviews_completed_by_idx').on(t.completedBy),
    check('partnership_reviews_period', sql`${t.periodFrom} < ${t.periodTo}`),
    check('partnership_reviews_completed', sql`(${t.result} is null) = (${t.completedAt} is null)`),
    check('partnership_reviews_follows', sql`(${t.kind} = 'rectification') = (${t.followsReviewId} is not null)`),
  ],
);

// The centre's record of an organisation (issue 17): what the centre itself has found in a
// partnership with it — today a termination after a failed rectification. A later recruitment's
// panel reads it beside the eligibility condition "no record of serious violations".

export const organizationRecordKindEnum = pgEnum('organization_record_kind', ORGANIZATION_RECORD_KINDS);

export const organizationRecords = pgTable(
  'organization_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    kind: organizationRecordKindEnum('kind').notNull(),
    partnershipId: uuid('partnership_id')
      .notNull()
      .references(() => partnerships.id),
    recruitmentId: uuid('recruitment_id')
      .notNull()
      .references(() => recruitments.id),
    /** one line, as the panel reads it */
    summary: text('summary').notNull(),
    recordedAt: instant('recorded_at').notNull(),
    recordedBy: uuid('recorded_by')
      .notNull()
      .references(() => users.id),
    /** the signed document the record rests on (the termination notice) */
    documentId: uuid('document_id').references(() => documents.id),
  },
  (t) => [
    index('organization_records_organization_id_idx').on(t.organizationId, t.recordedAt),
    // one record of each kind per partnership: a termination happens once
    uniqueIndex('organization_records_partnership_kind_key').on(t.partnershipId, t.kind),
    index('organization_records_recruitment_id_idx').on(t.recruitmentId),
    index('organization_records_recorded_by_idx').on(t.recordedBy),
    index('organization_records_document_id_idx').on(t.documentId),
  ],
);
