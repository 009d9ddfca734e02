import type { Db } from '../../db/client.ts';
import type { Role } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { AuditService } from '../audit/service.ts';
import type { RateLimiter } from './rate-limit.ts';

export type SessionKind = 'page' | 'api';

export interface SignedInUser {
  id: string;
  role: Role;
  name: string;
  email: string;
  sessionId: string;
}

export interface RequestOrigin {
  ip: string;
  userAgent?: string;
}

/** What the account stories that mail a link share (email-verification.ts, passwords.ts). */
export interface MailedLinkDeps {
  db: Db;
  clock: Clock;
  audit: AuditService;
  mailer: Mailer;
  limits: RateLimiter;
  publicUrl: string;
}
