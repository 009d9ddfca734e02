import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { DocumentIssuer } from '../documents/issuer.ts';
import { PUBLISHING_STATUSES } from '../offers/rules.ts';
import type { PartnershipAccess } from '../partnerships/access.ts';
import { PARTNERSHIP_STATUS_LABELS } from '../partnerships/types.ts';
import { AppError } from '../../errors.ts';
import { RATING_WINDOW_DAYS } from './codes.ts';
import type { Ratings } from './rating.ts';
import { rateUrl } from './service-uses.ts';

// The rating poster (issue 17): one signed A4 page per partnership with its QR code to the
// rating page. It decides nothing, but it is a document like the others: issued once, on the
// first download (render and sign cost a fraction of a second), recorded in `documents` with
// its audit entry and verification code, and served from there as every document is — so a
// printed poster can be checked at /verify like a notice.

export function createPosters({
  issuer,
  access,
  ratings,
  publicUrl,
}: {
  issuer: Pick<DocumentIssuer, 'issueDocument'>;
  access: Pick<PartnershipAccess, 'load' | 'canSee' | 'documentOf'>;
  ratings: Pick<Ratings, 'ratingPage'>;
  publicUrl: string;
}) {
  /** The id of the partnership's poster, issued now if it has none yet (signed and not ended). */
  async function posterOf(partnershipId: string, viewer: SignedInUser, origin: RequestOrigin): Promise<string> {
    const partnership = await access.load(partnershipId);
    if (!(await access.canSee(partnership, viewer))) throw new AppError('NOT_FOUND', '合作关系不存在');
    // one poster per partnership
    const subject = partnershipId;
    const existing = await access.documentOf(partnership, 'satisfaction_poster', subject);
    if (existing) return existing.id;
    if (!PUBLISHING_STATUSES.includes(partnership.status)) {
      throw new AppError('SERVICE_USES_CLOSED', `合作关系当前状态为“${PARTNERSHIP_STATUS_LABELS[partnership.status]}”：协议签订后、合作结束前方可生成评价海报`);
    }
    const page = await ratings.ratingPage(partnershipId);
    const issued = await issuer.issueDocument(
      (stamp) => ({
        kind: 'satisfaction_poster',
        input: {
          ...stamp,
          recruitment: { title: page.site.recruitment, owner: page.site.owner },
          organization: { name: page.organization },
          lot: { key: partnership.lotKey, name: page.site.lot },
          services: page.services,
          rateUrl: rateUrl(publicUrl, partnershipId),
          ratingWindowDays: RATING_WINDOW_DAYS,
        },
      }),
      {
        recruitmentId: partnership.recruitmentId,
        kind: 'satisfaction_poster',
        subject,
        bidId: partnership.bidId,
        organizationId: partnership.organizationId,
        owner: page.site.owner,
        issuedFor: { actor: viewer, ip: origin.ip },
      },
    );
    // another request issued it first: that one is the poster
    return issued?.id ?? (await access.documentOf(partnership, 'satisfaction_poster', subject))!.id;
  }

  return { posterOf };
}
