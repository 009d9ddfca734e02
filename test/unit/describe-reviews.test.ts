import { describe, expect, it } from 'vitest';
import { describeDetails, type Names } from '../../server/domain/audit/describe.ts';

// The reviews' audit entries in words on the record page (issue 17).

const names: Names = { of: () => undefined, lot: () => undefined };

describe('review entries in words', () => {
  it('a completed review: kind, result and total, ratings and 满意率, the breached items, the deadline', () => {
    const lines = describeDetails(
      'review.complete',
      {
        reviewId: 'r',
        kind: 'stage',
        result: 'rectify',
        total: 96,
        ratings: 10,
        satisfiedShare: 0.9,
        breached: ['subcontract'],
        rectifyBy: '2027-03-01T00:00:00.000Z',
        documentId: 'd',
        sha256: 'ab'.repeat(32),
      },
      names,
    );
    expect(lines.slice(0, 4)).toEqual(['阶段考核', '结果：限期整改，总分 96 分', '职工评价 10 条，满意率 90%', '负面清单违反：转包或分包服务阵地的运营']);
    expect(lines[4]).toBe('整改期限：2027/03/01 08:00:00（北京时间）');
    expect(lines).toHaveLength(6);
  });

  it('a scheduled review and an outstanding final review', () => {
    expect(describeDetails('review.schedule', { reviewId: 'r', kind: 'final', periodFrom: '2026-01-01T00:00:00.000Z', periodTo: '2029-01-01T00:00:00.000Z', dueAt: '2029-02-01T00:00:00.000Z' }, names)).toHaveLength(3);
    expect(describeDetails('review.final_outstanding', { endsAt: '2029-01-01T00:00:00.000Z', status: 'active', scheduled: false, alertId: 'a' }, names).slice(1)).toEqual(['合作关系状态：合作中', '终期考核未安排']);
  });
});
