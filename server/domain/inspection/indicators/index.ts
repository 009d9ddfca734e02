import { BIDDER_INDICATORS } from './bidders.ts';
import { PARTNERSHIP_INDICATORS } from './partnerships.ts';
import { PROCESS_INDICATORS } from './process.ts';
import { RAISED_INDICATORS } from './raised.ts';
import { SATISFACTION_INDICATORS } from './satisfaction.ts';
import { REVIEW_INDICATORS } from './reviews.ts';
import type { IndicatorDefinition } from './types.ts';

/** Every red flag the portal knows, in the order the alerts page explains them. */
export const INDICATORS: readonly IndicatorDefinition[] = [...BIDDER_INDICATORS, ...PROCESS_INDICATORS, ...PARTNERSHIP_INDICATORS, ...SATISFACTION_INDICATORS, ...REVIEW_INDICATORS, ...RAISED_INDICATORS];

/** The indicators the review computes from the data. */
export const COMPUTED_INDICATORS = INDICATORS.filter((indicator) => indicator.detect !== undefined);

const BY_ID = new Map(INDICATORS.map((indicator) => [indicator.id, indicator]));

/** An indicator's name on the pages; an unknown code shows as is. */
export const indicatorLabel = (id: string): string => BY_ID.get(id)?.label ?? id;
