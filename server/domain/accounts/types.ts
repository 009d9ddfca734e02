import type { Role } from '../../db/schema.ts';

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
