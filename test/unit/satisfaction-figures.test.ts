import { describe, expect, it } from 'vitest';
import { summariseRatings } from '../../server/domain/satisfaction/aggregate.ts';

describe('summariseRatings', () => {
  it('gives nulls, not zeros, without ratings', () => {
    const figures = summariseRatings([]);
    expect(figures).toMatchObject({ ratings: 0, mean: null, satisfiedShare: null, distribution: [0, 0, 0, 0, 0] });
    expect(figures.byGroup.hardship).toEqual({ ratings: 0, mean: null });
  });

  it('counts 4 and 5 as satisfied and splits by group', () => {
    const figures = summariseRatings([
      { score: 5, group: 'hardship' },
      { score: 4, group: 'hardship' },
      { score: 3, group: 'unionMember' },
      { score: 1, group: 'allWorkers' },
    ]);
    expect(figures.ratings).toBe(4);
    expect(figures.mean).toBe(3.25);
    expect(figures.satisfiedShare).toBe(0.5);
    expect(figures.distribution).toEqual([1, 0, 1, 1, 1]);
    expect(figures.byGroup.hardship).toEqual({ ratings: 2, mean: 4.5 });
    expect(figures.byGroup.modelWorker).toEqual({ ratings: 0, mean: null });
  });
});
