import { describe, expect, it } from 'vitest';
import { bidStage, showsScore, type BidFacts } from '../../server/domain/bids/stage.ts';

// Where a bid stands (issue 15 point 11), for each status and outcome of its recruitment.

const received: BidFacts = {
  bidStatus: 'submitted',
  recruitmentStatus: 'published',
  suspendedFrom: null,
  deadlinePassed: false,
  bidsOpened: false,
  opening: null,
  lotFailed: false,
  qualified: null,
  candidate: false,
  selected: false,
};
const opened: BidFacts = { ...received, recruitmentStatus: 'opening', deadlinePassed: true, bidsOpened: true, opening: { digestVerified: true } };

describe('bidStage', () => {
  it.each<[string, Partial<BidFacts>, string, boolean]>([
    ['before the deadline', {}, 'received', false],
    ['withdrawn', { bidStatus: 'withdrawn' }, 'withdrawn', false],
    ['withdrawn, after the opening', { ...opened, bidStatus: 'withdrawn', opening: null }, 'withdrawn', false],
    ['past the deadline, not yet opened', { deadlinePassed: true }, 'awaiting_opening', false],
    ['the opening started, bids still sealed', { recruitmentStatus: 'opening', deadlinePassed: true }, 'awaiting_opening', false],
    ['bids opened without it', { ...opened, opening: null }, 'not_opened', false],
    ['opened', opened, 'opened', false],
    ['opened, digest not matching', { ...opened, opening: { digestVerified: false } }, 'not_valid', false],
    ['its lot failed', { ...opened, recruitmentStatus: 'evaluation', lotFailed: true }, 'lot_failed', false],
    ['the recruitment failed', { ...opened, recruitmentStatus: 'failed' }, 'lot_failed', false],
    ['in evaluation, not yet reviewed', { ...opened, recruitmentStatus: 'evaluation' }, 'under_evaluation', false],
    ['in evaluation, qualified', { ...opened, recruitmentStatus: 'evaluation', qualified: true }, 'under_evaluation', false],
    ['in evaluation, not qualified', { ...opened, recruitmentStatus: 'evaluation', qualified: false }, 'not_qualified', false],
    ['in publicity, a candidate', { ...opened, recruitmentStatus: 'publicity', qualified: true, candidate: true }, 'candidate', true],
    ['in publicity, not a candidate', { ...opened, recruitmentStatus: 'publicity', qualified: true }, 'not_candidate', true],
    ['in publicity, not qualified', { ...opened, recruitmentStatus: 'publicity', qualified: false }, 'not_qualified', false],
    ['suspended in publicity', { ...opened, recruitmentStatus: 'suspended', suspendedFrom: 'publicity', qualified: true }, 'not_candidate', true],
    ['awarded, selected', { ...opened, recruitmentStatus: 'awarded', qualified: true, candidate: true, selected: true }, 'selected', true],
    ['awarded, not selected', { ...opened, recruitmentStatus: 'awarded', qualified: true }, 'not_selected', true],
    ['awarded, not qualified', { ...opened, recruitmentStatus: 'awarded', qualified: false }, 'not_selected', false],
    ['cancelled', { ...opened, recruitmentStatus: 'cancelled' }, 'cancelled', false],
  ])('%s', (_case, facts, stage, scored) => {
    const all = { ...received, ...facts };
    expect(bidStage(all)).toBe(stage);
    expect(showsScore(all, bidStage(all))).toBe(scored);
  });
});
