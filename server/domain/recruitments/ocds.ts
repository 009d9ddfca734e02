// A recruitment as an OCDS 1.1 release package (https://standard.open-contracting.org/1.1/),
// served at GET /recruitments/:id/ocds. Pure: data in, JSON-compatible data out. What follows an
// award's draft contract is ocds-contracts.ts.

export type { OcdsPartnership, OcdsReview } from './ocds-contracts.ts';
import { verifyUrl } from '../../lib/verification-code.ts';
import { contractReleases, LANGUAGE, type Milestone, type OcdsPartnership } from './ocds-contracts.ts';
import type { Announcement, AnnouncementChange, Publication, PublicationChannel, Recruitment, RecruitmentStatus } from './types.ts';

/**
 * The ocid prefix of this portal. Every OCDS publisher registers its own prefix with the Open
 * Contracting Partnership so ocids stay globally unique; this one is a placeholder, and a real
 * deployment replaces it with the prefix it has been assigned.
 */
export const OCID_PREFIX = 'zgfw7q';

export interface OcdsContext {
  /** absolute base URL of the portal, e.g. https://partners.example.org */
  publicUrl: string;
  publisherName: string;
  now: Date;
  /** the organisation that funds the recruitment, when it is not the recruiting centre itself */
  buyerName?: string;
}

export type ReleaseTag =
  | 'tender'
  | 'tenderAmendment'
  | 'tenderUpdate'
  | 'tenderCancellation'
  | 'award'
  | 'awardUpdate'
  | 'awardCancellation'
  | 'contract'
  | 'contractUpdate'
  | 'implementation';
export type TenderStatus = 'active' | 'cancelled' | 'complete' | 'unsuccessful';

export interface OrganizationReference {
  id: string;
  name: string;
}

export interface Party extends OrganizationReference {
  roles: ('buyer' | 'procuringEntity' | 'supplier')[];
}

export interface Period {
  startDate: string;
  endDate: string;
}

export interface Item {
  id: string;
  description: string;
  quantity: number;
  unit: { name: string };
}

export interface OcdsDocument {
  id: string;
  /**
   * from the open documentType codelist; x_publishedServices: the site's published services and
   * worker prices; x_terminationNotice: the signed termination notice (its verification page)
   */
  documentType: 'tenderNotice' | 'clarifications' | 'cancellationDetails' | 'awardNotice' | 'complaints' | 'x_publishedServices' | 'x_terminationNotice';
  title: string;
  description?: string;
  url?: string;
  datePublished?: string;
  format?: string;
  language: string;
}

export interface Amendment {
  id: string;
  date: string;
  rationale: string;
  description: string;
  amendsReleaseID?: string;
  releaseID: string;
}

export interface Tender {
  id: string;
  title: string;
  description: string;
  status: TenderStatus;
  procuringEntity: OrganizationReference;
  items: Item[];
  procurementMethod: 'open';
  procurementMethodDetails: string;
  mainProcurementCategory: 'services';
  awardCriteria: 'ratedCriteria';
  awardCriteriaDetails: string;
  eligibilityCriteria?: string;
  tenderPeriod: Period;
  enquiryPeriod: Period;
  hasEnquiries?: boolean;
  documents: OcdsDocument[];
  amendments?: Amendment[];
}

/**
 * A candidate (status pending, during publicity), a candidate withdrawn by a redo of the
 * evaluation (cancelled), or a selected organisation (active).
 */
export interface Award {
  id: string;
  title: string;
  status: 'pending' | 'active' | 'cancelled';
  date: string;
  suppliers: OrganizationReference[];
  items: Item[];
}

/** The draft cooperation agreement of an award, pending until it is signed. */
export interface Contract {
  id: string;
  awardID: string;
  title: string;
  status: 'pending' | 'active' | 'cancelled' | 'terminated';
  items: Item[];
  dateSigned?: string;
  period?: { startDate: string; endDate: string };
  implementation?: { documents: OcdsDocument[]; milestones?: Milestone[] };
}

export interface Release {
  ocid: string;
  id: string;
  date: string;
  tag: [ReleaseTag];
  initiationType: 'tender';
  language: string;
  parties: Party[];
  buyer: OrganizationReference;
  tender: Tender;
  awards?: Award[];
  contracts?: Contract[];
}

/** A candidate as announced in an evaluation round, or a selected organisation once awarded. */
export interface OcdsResult {
  round: number;
  bidId: string;
  lot: string;
  organizationId: string;
  organization: string;
  score: number;
  rank: number;
}

export interface OcdsResults {
  /** the candidates of every round, those a redo withdrew included */
  candidates: OcdsResult[];
  awards: (OcdsResult & { awardedAt: Date })[];
}

export interface ReleasePackage {
  uri: string;
  version: '1.1';
  publishedDate: string;
  publisher: { name: string };
  releases: Release[];
}


const RELEASE_TAGS: Record<Announcement['kind'], ReleaseTag> = {
  announcement: 'tender',
  amendment: 'tenderAmendment',
  cancellation: 'tenderCancellation',
  suspension: 'tenderUpdate',
  resumption: 'tenderUpdate',
  // the candidates are awards still pending; the result makes them active, a redo cancels them
  candidates: 'award',
  award: 'awardUpdate',
  redo: 'awardCancellation',
};

// The documentType codelist has no code for a suspension or resumption notice; like an amendment
// they modify the published tender, so they share its code.
const DOCUMENT_TYPES: Record<Announcement['kind'], OcdsDocument['documentType']> = {
  announcement: 'tenderNotice',
  amendment: 'clarifications',
  cancellation: 'cancellationDetails',
  suspension: 'clarifications',
  resumption: 'clarifications',
  candidates: 'awardNotice',
  award: 'awardNotice',
  // a decision on the challenges (complaints) of the withdrawn round
  redo: 'complaints',
};

// The closed tenderStatus codelist has no "suspended": a suspended tender is still under way.
const TENDER_STATUSES: Record<Exclude<RecruitmentStatus, 'draft'>, TenderStatus> = {
  published: 'active',
  opening: 'active',
  evaluation: 'active',
  publicity: 'active',
  suspended: 'active',
  awarded: 'complete',
  failed: 'unsuccessful',
  cancelled: 'cancelled',
};

const CHANNEL_LABELS: Record<PublicationChannel, string> = {
  trading_platform: '公共资源交易平台',
  union_website: '工会网站',
  newspaper: '报纸',
  other: '其他渠道',
};

export function buildReleasePackage(
  recruitment: Recruitment,
  context: OcdsContext,
  results: OcdsResults = { candidates: [], awards: [] },
  partnerships: readonly OcdsPartnership[] = [],
): ReleasePackage {
  const publicUrl = context.publicUrl.replace(/\/+$/, '');
  const releasePackage: ReleasePackage = {
    uri: `${publicUrl}/api/v1/recruitments/${recruitment.id}/ocds`,
    version: '1.1',
    publishedDate: context.now.toISOString(),
    publisher: { name: context.publisherName },
    releases: [],
  };
  // Nothing of a draft is public. The schema asks for at least one release, so the route should
  // answer 404 for an unpublished recruitment rather than serve this empty package.
  if (recruitment.status === 'draft' || recruitment.publishedAt === null) return releasePackage;

  const ocid = `ocds-${OCID_PREFIX}-${recruitment.id}`;
  const published = recruitment.publishedAt.toISOString();
  const currentStatus = TENDER_STATUSES[recruitment.status];
  const { parties: centreParties, buyer, procuringEntity } = partiesOf(recruitment, context);
  const items = recruitment.lots.map((lot) => ({
    id: lot.key,
    description: `${lot.name}：${lot.description}`,
    quantity: lot.quota,
    // the quota counts partner organisations to be selected for the lot
    unit: { name: '家' },
  }));
  // Each round announces its candidates once and, unless it is the last, is withdrawn once: the
  // n-th candidates notice and the n-th redo notice are round n's.
  const awardsOf = (kind: Announcement['kind'], at: Date, round: number): Award[] | undefined => {
    const ofRound = results.candidates.filter((c) => c.round === round);
    if (kind === 'candidates') return ofRound.map((c) => awardOf(c, 'pending', at, items));
    if (kind === 'redo') return ofRound.map((c) => awardOf(c, 'cancelled', at, items));
    if (kind === 'award') return results.awards.map((a) => awardOf(a, 'active', a.awardedAt, items));
    return undefined;
  };
  const { announcements } = recruitment;
  const publicationDocuments = recruitment.publications.map(publicationDocument);

  releasePackage.releases = announcements.flatMap((announcement, index): Release[] => {
    const earlier = announcements.slice(0, index + 1);
    // Releases are snapshots at their date, except that the latest one also carries what happened
    // since (an award or failure has no announcement of its own, hence no dated release yet).
    const isLatest = index === announcements.length - 1;
    const deadlines = deadlinesAfter(recruitment, announcement.number);
    const amendments = earlier.flatMap((a, i) => (a.kind === 'amendment' ? [amendmentOf(a, earlier[i - 1], ocid)] : []));
    const asked = recruitment.answeredQuestions.some((q) => isLatest || q.askedAt <= announcement.publishedAt);

    const awards = awardsOf(
      announcement.kind,
      announcement.publishedAt,
      earlier.filter((a) => a.kind === announcement.kind).length,
    );
    const release: Release = {
      ocid,
      id: releaseId(ocid, announcement),
      date: announcement.publishedAt.toISOString(),
      tag: [RELEASE_TAGS[announcement.kind]],
      initiationType: 'tender',
      language: LANGUAGE,
      // suppliers appear from the release that names them on
      parties: awards ? [...centreParties, ...supplierParties(awards)] : centreParties,
      buyer,
      tender: {
        id: recruitment.id,
        title: recruitment.title,
        description: recruitment.summary,
        status: isLatest ? currentStatus : announcement.kind === 'cancellation' ? 'cancelled' : 'active',
        procuringEntity,
        items,
        procurementMethod: 'open',
        procurementMethodDetails: '参照公开招标程序的社会化运营合作伙伴招募',
        mainProcurementCategory: 'services',
        awardCriteria: 'ratedCriteria',
        awardCriteriaDetails: awardCriteriaDetails(recruitment),
        ...(recruitment.eligibility.length > 0 && {
          eligibilityCriteria: recruitment.eligibility.map((c, i) => `${i + 1}. ${c.text}`).join('\n'),
        }),
        tenderPeriod: { startDate: published, endDate: deadlines.submissionDeadline },
        enquiryPeriod: { startDate: published, endDate: deadlines.questionsDeadline },
        ...(asked && { hasEnquiries: true }),
        documents: [
          ...earlier.map((a) => announcementDocument(a, `${publicUrl}/recruitments/${recruitment.id}`, recruitment.bidKeyFingerprint)),
          ...publicationDocuments,
        ],
        ...(amendments.length > 0 && { amendments }),
      },
      ...(awards && { awards }),
    };
    if (announcement.kind !== 'award' || !awards) return [release];
    // the award is followed by one draft agreement per selected organisation, in a release of its own
    const contracts: Contract[] = awards.map((award) => ({
      id: `contract-${award.id}`,
      awardID: award.id,
      title: `合作协议（草案）：${award.suppliers.map((s) => s.name).join('、')}`,
      status: 'pending',
      items: award.items,
    }));
    const contractRelease: Release = { ...release, id: `${release.id}-contract`, tag: ['contract'], contracts };
    const urls = { site: `${publicUrl}/sites/${recruitment.id}`, verify: (code: string) => verifyUrl(publicUrl, code) };
    const later = results.awards.flatMap((result) => {
      const partnership = partnerships.find((p) => p.bidId === result.bidId);
      const contract = contracts.find((c) => c.awardID === awardIdOf(result));
      return partnership && contract ? contractReleases(contractRelease, contract, partnership, urls) : [];
    });
    return [release, contractRelease, ...later];
  });
  return releasePackage;
}

/**
 * The same id for the candidate and the award it becomes, so the two releases merge; a candidate of
 * a later round is another award than the one withdrawn for the same bid.
 */
const awardIdOf = (result: OcdsResult) => (result.round === 1 ? `award-${result.bidId}` : `award-${result.bidId}-round-${result.round}`);

function awardOf(result: OcdsResult, status: Award['status'], date: Date, items: Item[]): Award {
  return {
    id: awardIdOf(result),
    title: `第 ${result.rank} 名，得分 ${result.score}`,
    status,
    date: date.toISOString(),
    suppliers: [{ id: supplierId(result.organizationId), name: result.organization }],
    items: items.filter((item) => item.id === result.lot),
  };
}

const supplierId = (organizationId: string) => `organization-${organizationId}`;

function supplierParties(awards: readonly Award[]): Party[] {
  const byId = new Map(awards.flatMap((award) => award.suppliers.map((s) => [s.id, s.name] as const)));
  return [...byId].map(([id, name]) => ({ id, name, roles: ['supplier'] }));
}

function releaseId(ocid: string, announcement: Announcement): string {
  return `${ocid}-${announcement.number}`;
}

/**
 * The deadlines as they stood once announcement `number` was out. The recruitment holds the
 * current values; undoing each later announcement's changes, newest first, leaves the value
 * that the earliest later change started `from`.
 */
function deadlinesAfter(recruitment: Recruitment, number: number): Record<AnnouncementChange['field'], string> {
  const deadlines = {
    submissionDeadline: recruitment.submissionDeadline.toISOString(),
    questionsDeadline: recruitment.questionsDeadline.toISOString(),
  };
  const later = recruitment.announcements.filter((a) => a.number > number).reverse();
  for (const announcement of later) {
    for (const change of announcement.changes) deadlines[change.field] = new Date(change.from).toISOString();
  }
  return deadlines;
}

// The recruiting centre runs the procedure; it is also the buyer unless the deployment names the
// organisation that funds it. Party ids are local and fixed so they match across releases.
function partiesOf(recruitment: Recruitment, context: OcdsContext) {
  const procuringEntity: OrganizationReference = { id: 'owner', name: recruitment.owner };
  if (context.buyerName === undefined || context.buyerName === recruitment.owner) {
    const parties: Party[] = [{ ...procuringEntity, roles: ['buyer', 'procuringEntity'] }];
    return { parties, buyer: procuringEntity, procuringEntity };
  }
  const buyer: OrganizationReference = { id: 'buyer', name: context.buyerName };
  const parties: Party[] = [
    { ...buyer, roles: ['buyer'] },
    { ...procuringEntity, roles: ['procuringEntity'] },
  ];
  return { parties, buyer, procuringEntity };
}

function awardCriteriaDetails(recruitment: Recruitment): string {
  const total = recruitment.criteria.reduce((sum, c) => sum + c.maxScore, 0);
  const lines = recruitment.criteria.map((c, i) => `${i + 1}. ${c.name}（${c.maxScore}分）：${c.description}`);
  return [`综合评分法，满分${total}分：`, ...lines].join('\n');
}

function amendmentOf(announcement: Announcement, previous: Announcement | undefined, ocid: string): Amendment {
  return {
    id: String(announcement.number),
    date: announcement.publishedAt.toISOString(),
    rationale: announcement.title,
    description: announcement.body,
    // OCDS 1.1 links an amendment to the releases before and after it instead of listing changes
    ...(previous && { amendsReleaseID: releaseId(ocid, previous) }),
    releaseID: releaseId(ocid, announcement),
  };
}

function announcementDocument(announcement: Announcement, pageUrl: string, bidKeyFingerprint: string | null): OcdsDocument {
  return {
    id: `announcement-${announcement.number}`,
    documentType: DOCUMENT_TYPES[announcement.kind],
    title: announcement.title,
    // the original announcement publishes the key bids are sealed to (SPEC §4.1)
    ...(announcement.kind === 'announcement' && bidKeyFingerprint && { description: `投标密钥指纹（SHA-256）：${bidKeyFingerprint}` }),
    url: `${pageUrl}#announcement-${announcement.number}`,
    datePublished: announcement.publishedAt.toISOString(),
    language: LANGUAGE,
  };
}

// Only the day of an outside publication is known, so it goes in the description rather than
// in datePublished, which needs a time.
function publicationDocument(publication: Publication): OcdsDocument {
  const url = absoluteUrl(publication.url);
  return {
    id: `publication-${publication.id}`,
    documentType: 'tenderNotice',
    title: `${publication.name}刊登的招募公告`,
    description: `${publication.publishedOn}刊登于${publication.name}（${CHANNEL_LABELS[publication.channel]}）`,
    // OCDS marks a notice that exists only in print with the format offline/print
    ...(url !== undefined ? { url } : publication.channel === 'newspaper' ? { format: 'offline/print' } : {}),
    language: LANGUAGE,
  };
}

// Agents type these URLs in; the schema accepts only absolute URIs, and URL.href percent-encodes
// the non-ASCII characters that the uri format refuses.
function absoluteUrl(url: string | null): string | undefined {
  if (url === null || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
}
