import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../server/db/schema.ts';
import {
  allowedActions,
  checkTransition,
  nextStatus,
  RECRUITMENT_ACTIONS,
  type RecruitmentAction,
} from '../../server/domain/recruitments/state.ts';
import { RECRUITMENT_STATUSES, type RecruitmentStatus } from '../../server/domain/recruitments/types.ts';

// The expected life cycle, written out independently of the table it checks (SPEC §3).
const EXPECTED: Record<RecruitmentAction, { role: Role; from: RecruitmentStatus[]; to: RecruitmentStatus | 'previous' }> = {
  publish: { role: 'agent', from: ['draft'], to: 'published' },
  cancel: { role: 'agent', from: ['draft', 'published', 'opening', 'evaluation', 'publicity', 'suspended'], to: 'cancelled' },
  suspend: { role: 'inspector', from: ['published', 'opening', 'evaluation', 'publicity'], to: 'suspended' },
  resume: { role: 'inspector', from: ['suspended'], to: 'previous' },
  startOpening: { role: 'agent', from: ['published'], to: 'opening' },
  closeOpening: { role: 'inspector', from: ['opening'], to: 'evaluation' },
  failOpening: { role: 'inspector', from: ['opening'], to: 'failed' },
  announceCandidates: { role: 'agent', from: ['evaluation'], to: 'publicity' },
  redoEvaluation: { role: 'agent', from: ['publicity'], to: 'evaluation' },
  award: { role: 'agent', from: ['publicity'], to: 'awarded' },
};

const cases = RECRUITMENT_STATUSES.flatMap((status) =>
  RECRUITMENT_ACTIONS.flatMap((action) => ROLES.map((role) => [status, action, role] as const)),
);

describe('recruitment state machine', () => {
  it('has a row for every action', () => {
    expect(RECRUITMENT_ACTIONS.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(cases)('%s × %s × %s', (status, action, role) => {
    const expected = EXPECTED[action];
    const check = checkTransition(status, action, role);
    if (role !== expected.role) {
      expect(check).toEqual({ ok: false, reason: 'role' });
    } else if (!expected.from.includes(status)) {
      expect(check).toEqual({ ok: false, reason: 'status' });
      expect(nextStatus(status, action)).toBeNull();
    } else {
      expect(check).toEqual({ ok: true, to: expected.to });
    }
    expect(allowedActions(status, role).includes(action)).toBe(check.ok);
  });

  it('resume returns to the status held before suspension', () => {
    for (const before of ['published', 'opening', 'evaluation', 'publicity'] as const) {
      expect(nextStatus('suspended', 'resume', before)).toBe(before);
    }
  });

  it('final statuses allow nothing', () => {
    for (const status of ['awarded', 'failed', 'cancelled'] as const) {
      for (const role of ROLES) expect(allowedActions(status, role)).toEqual([]);
    }
  });
});
