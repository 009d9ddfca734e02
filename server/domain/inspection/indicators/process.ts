import type { IndicatorDefinition } from './types.ts';

// The red flags about how the procedure was run: the panel's scores and conflicts, late amendments,
// bids read outside the opening, sign-offs over a broken audit chain, upheld challenges and redos.

export const PROCESS_INDICATORS: IndicatorDefinition[] = [];
