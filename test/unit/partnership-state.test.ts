import { describe, expect, it } from 'vitest';
import { describeDetails } from '../../server/domain/audit/describe.ts';
import { hasLapsed, signDeadline, SIGN_WITHIN_DAYS, termEnd, termTooLong } from '../../server/domain/partnerships/rules.ts';
import { certificateNamesOrganization } from '../../server/domain/partnerships/signing.ts';
import {
  allowedPartnershipActions,
  checkPartnershipTransition,
  FINAL_STATUSES,
  PARTNERSHIP_ACTIONS,
  PARTNERSHIP_TRANSITIONS,
} from '../../server/domain/partnerships/state.ts';
import { PARTNERSHIP_STATUSES } from '../../server/domain/partnerships/types.ts';

// The partnership's state machine and its pure rules (issue 17), table-driven.

const EXPECTED: Record<string, [string, string, string]> = {
  // action: from, to, who
  sign: ['awarded', 'signed', 'bidder'],
  lapse: ['awarded', 'lapsed', 'system'],
  activate: ['signed', 'active', 'agent'],
  requireRectification: ['active', 'rectifying', 'agent'],
  passRectification: ['rectifying', 'active', 'agent'],
  terminate: ['rectifying', 'terminated', 'agent'],
  end: ['active', 'ended', 'agent'],
};

describe('the partnership state machine', () => {
  it('declares every step of awarded → signed → active → (rectifying) → ended | terminated | lapsed', () => {
    expect(Object.keys(PARTNERSHIP_TRANSITIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
    const reached = new Set(['awarded', ...Object.values(PARTNERSHIP_TRANSITIONS).map((t) => t.to)]);
    expect([...reached].sort()).toEqual([...PARTNERSHIP_STATUSES].sort());
  });

  describe.each(PARTNERSHIP_STATUSES)('from %s', (status) => {
    it.each(PARTNERSHIP_ACTIONS)('%s is allowed exactly from its status, for its actor', (action) => {
      const [from, to, who] = EXPECTED[action]!;
      for (const actor of ['admin', 'agent', 'bidder', 'expert', 'inspector', 'system'] as const) {
        const check = checkPartnershipTransition(status, action, actor);
        if (actor !== who) expect(check).toEqual({ ok: false, reason: 'role' });
        else if (status === from) expect(check).toEqual({ ok: true, to });
        else expect(check).toEqual({ ok: false, reason: 'status' });
      }
    });
  });

  it('leaves nothing to do in a final status, for anyone', () => {
    for (const status of FINAL_STATUSES) {
      for (const actor of ['agent', 'bidder', 'inspector', 'system'] as const) expect(allowedPartnershipActions(status, actor)).toEqual([]);
    }
  });
});

describe('the term and the deadline', () => {
  it.each([
    ['2026-01-15T02:00:00.000Z', 36, '2029-01-15T02:00:00.000Z'],
    ['2026-01-31T02:00:00.000Z', 1, '2026-02-28T02:00:00.000Z'],
    ['2027-12-31T16:00:00.000Z', 2, '2028-02-29T16:00:00.000Z'],
    ['2026-03-10T00:00:00.000Z', 60, '2031-03-10T00:00:00.000Z'],
  ])('a term starting %s of %i months ends %s', (start, months, end) => {
    expect(termEnd(new Date(start), months).toISOString()).toBe(end);
  });

  it('is never above 60 months', () => {
    expect(termTooLong(60)).toBe(false);
    expect(termTooLong(61)).toBe(true);
  });

  it('lapses only after the deadline, which is SIGN_WITHIN_DAYS after the award', () => {
    const awardedAt = new Date('2026-06-01T08:00:00Z');
    const signBy = signDeadline(awardedAt);
    expect(signBy.getTime() - awardedAt.getTime()).toBe(SIGN_WITHIN_DAYS * 24 * 60 * 60 * 1000);
    expect(hasLapsed(signBy, signBy)).toBe(false);
    expect(hasLapsed(signBy, new Date(signBy.getTime() + 1))).toBe(true);
  });
});

describe('the organisation’s certificate', () => {
  const organization = { name: '杭州市西湖区星光艺术团', uscc: '52330106MJ8912345X' };
  const certificate = (subject: string) => ({ subject, issuer: 'CN=CA', notBefore: new Date(0), notAfter: new Date(0), fingerprint: '' });

  it.each([
    ['C=CN, O=杭州市西湖区星光艺术团, CN=张三', true],
    ['C=CN, CN=杭州市西湖区星光艺术团', true],
    ['C=CN, O=某某公司, CN=52330106MJ8912345X', true],
    ['C=CN, O=杭州市西湖区星光艺术团分团, CN=李四', false],
    ['C=CN, O=另一单位, CN=另一单位', false],
  ])('%s names the organisation: %s', (subject, expected) => {
    expect(certificateNamesOrganization(certificate(subject), organization)).toBe(expected);
  });
});

describe('the audit log in words', () => {
  const names = { of: () => undefined, lot: () => undefined };
  it('describes a signature with its certificate and the term’s end', () => {
    const lines = describeDetails(
      'partnership.sign',
      { from: 'awarded', to: 'signed', version: 2, termMonths: 24, endsAt: '2028-12-07T06:00:00.000Z', certificateSubject: 'C=CN, CN=某单位', documentId: 'x' },
      names,
    );
    expect(lines).toEqual(['待签订协议 → 协议已签订', '第 2 版协议文本', '合作期限 24 个月', '合作期至：2028/12/07 14:00:00（北京时间）', '签名证书：C=CN, CN=某单位']);
  });
});
