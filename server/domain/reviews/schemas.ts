import { Type, type Static, type TBoolean, type TNumber, type TOptional } from 'typebox';
import { DEFAULT_WEIGHTS } from './rules.ts';
import type { CompleteInput } from './complete.ts';
import { CRITERION_KEYS, NEGATIVE_LIST_ITEMS, SCORED_CRITERIA, type CriterionKey, type NegativeListItem, type ScoredCriterion } from './types.ts';

// Request shapes of the reviews' API. Each number and answer is optional in the shape, so that a
// missing one is refused by the rules (rules.ts) with its own zh-CN message and field.

const numbers = <K extends string>(keys: readonly K[]) => Type.Object(Object.fromEntries(keys.map((key) => [key, Type.Optional(Type.Number())])) as Record<K, TOptional<TNumber>>);

export const ScheduleBody = Type.Object({
  kind: Type.Union([Type.Literal('stage'), Type.Literal('final')]),
  periodFrom: Type.String({ format: 'date-time' }),
  /** the final review's defaults to the term's end */
  periodTo: Type.Optional(Type.String({ format: 'date-time' })),
  dueAt: Type.String({ format: 'date-time' }),
});

export const CompleteBody = Type.Object({
  /** the default template's when absent */
  weights: Type.Optional(numbers(CRITERION_KEYS)),
  points: numbers(SCORED_CRITERIA),
  assessor: Type.Optional(Type.Object({ name: Type.String({ maxLength: 200 }), points: numbers(SCORED_CRITERIA) })),
  /** true: the item was breached */
  negativeList: Type.Object(Object.fromEntries(NEGATIVE_LIST_ITEMS.map((item) => [item, Type.Optional(Type.Boolean())])) as Record<NegativeListItem, TOptional<TBoolean>>),
  rectifyBy: Type.Optional(Type.String({ format: 'date-time' })),
  remarks: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type CompleteBodyType = Static<typeof CompleteBody>;

const pick = <K extends string>(keys: readonly K[], values: Partial<Record<K, number>>) => Object.fromEntries(keys.map((key) => [key, values[key]])) as Record<K, number>;

export function completeInputOf(body: CompleteBodyType): CompleteInput {
  return {
    weights: body.weights ? pick<CriterionKey>(CRITERION_KEYS, body.weights) : { ...DEFAULT_WEIGHTS },
    points: pick<ScoredCriterion>(SCORED_CRITERIA, body.points),
    assessor: body.assessor ? { name: body.assessor.name, points: pick<ScoredCriterion>(SCORED_CRITERIA, body.assessor.points) } : null,
    negativeList: body.negativeList,
    rectifyBy: body.rectifyBy ? new Date(body.rectifyBy) : null,
    remarks: body.remarks ?? null,
  };
}
