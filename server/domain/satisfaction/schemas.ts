import { Type } from 'typebox';
import { OFFER_GROUPS } from '../offers/types.ts';
import { PLACE_KINDS } from './types.ts';

// Request shapes of the satisfaction API: the shape only. The group, the kind of place, the
// score and the comment's length are service-uses.ts's and rating.ts's rules, so the API and the
// pages refuse them alike, each with its own code.

export const ServiceUseBody = Type.Object({
  offerId: Type.String({ maxLength: 40 }),
  group: Type.String({ maxLength: 40, examples: [...OFFER_GROUPS] }),
  place: Type.String({ maxLength: 20, examples: [...PLACE_KINDS] }),
});

export const RatingBody = Type.Object({
  partnershipId: Type.String({ format: 'uuid' }),
  code: Type.String({ maxLength: 40 }),
  score: Type.Number(),
  group: Type.String({ maxLength: 40 }),
  comment: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
});

export const PeriodQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
});
