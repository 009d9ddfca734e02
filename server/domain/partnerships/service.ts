import type { Db } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { DocumentAssets } from '../../lib/document-assets.ts';
import type { Storage } from '../../lib/storage.ts';
import type { RequestOrigin, SignedInUser } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import type { AwardService } from '../awards/service.ts';
import type { DocumentIssuer } from '../documents/issuer.ts';
import type { AgentMails } from '../notifications/agent-mails.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { createPartnershipAccess } from './access.ts';
import { createLapses } from './lapse.ts';
import { createAgreementReview } from './review.ts';
import { createAgreementSigning } from './signing.ts';
import { createTermination } from './termination.ts';
import { applyPartnershipTransition } from './transition.ts';
import { createPartnershipViews } from './views.ts';

// The partnership after the award (issue 17): its views, the review of the draft agreement, the
// signatures, the lapse of an unsigned award, the termination after a failed rectification, and the steps of its state machine (state.ts) that
// later work (services, satisfaction, reviews) builds on. Each story lives in its own file; this
// one wires them to their dependencies.

export type PartnershipService = ReturnType<typeof createPartnershipService>;

export function createPartnershipService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  storage: Pick<Storage, 'readDocument' | 'saveDocument'>;
  issuer: Pick<DocumentIssuer, 'produce' | 'record'>;
  recruitments: Pick<RecruitmentService, 'getRecruitment'>;
  awards: Pick<AwardService, 'awardOutcome'>;
  assets: () => Promise<DocumentAssets>;
  publicUrl: string;
  mailer: Pick<Mailer, 'send'>;
  agentMails: Pick<AgentMails, 'arrived'>;
}) {
  const { db, audit } = deps;
  const access = createPartnershipAccess(deps);
  const lapses = createLapses(deps);
  const review = createAgreementReview({ ...deps, access, lapses });
  const signing = createAgreementSigning({ ...deps, access, lapses });
  const views = createPartnershipViews({ ...deps, access, lapses });
  const termination = createTermination({ ...deps, access });

  /** The agent records that the partner has taken over the site and started its services. */
  async function activatePartnership(id: string, agent: SignedInUser, origin: RequestOrigin) {
    const partnership = await access.load(id);
    await access.requireAgent(partnership, agent);
    const status = await db.transaction((tx) => applyPartnershipTransition(tx, audit, partnership, 'activate', agent, origin));
    return { partnershipId: id, status };
  }

  return { ...views, ...review, ...signing, ...termination, activatePartnership, lapseOverdue: lapses.lapseOverdue, startLapseSweep: lapses.startSweep };
}
