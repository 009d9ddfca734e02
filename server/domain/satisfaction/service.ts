import type { Db } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RateLimiter } from '../accounts/rate-limit.ts';
import type { AuditService } from '../audit/service.ts';
import type { DocumentIssuer } from '../documents/issuer.ts';
import type { PartnershipAccess } from '../partnerships/access.ts';
import { createSatisfactionFigures } from './figures.ts';
import { createPosters } from './poster.ts';
import { createRatings } from './rating.ts';
import { createServiceUses } from './service-uses.ts';

// Worker satisfaction (issue 17): the partner's proof-of-use codes, the workers' ratings, the
// figures each party sees and the poster. Each story lives in its own file; this one wires them.

export type SatisfactionService = ReturnType<typeof createSatisfactionService>;

export function createSatisfactionService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  access: Pick<PartnershipAccess, 'load' | 'lock' | 'requireOrganization' | 'canSee' | 'documentOf'>;
  limiter: Pick<RateLimiter, 'attempt' | 'refund'>;
  /** ratingKeyOf(the session secret) */
  ratingKey: Buffer;
  issuer: Pick<DocumentIssuer, 'issueDocument'>;
  publicUrl: string;
}) {
  const uses = createServiceUses(deps);
  const ratings = createRatings(deps);
  const figures = createSatisfactionFigures(deps);
  const posters = createPosters({ ...deps, ratings });
  return { ...uses, ...ratings, ...figures, ...posters };
}
