import { Type } from 'typebox';
import { OneLine } from '../../lib/schemas.ts';

// Request shapes of the offers API: the shape only; the ranges (prices ≥ 0 in fen, group prices
// within the list price, whole places) are rules.ts's, so the API and the page refuse alike.

const said = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

export const OfferBody = Type.Object({
  service: OneLine({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  openingHours: said(500),
  procedure: said(2000),
  listPrice: Type.Number(),
  prices: Type.Object({ modelWorker: Type.Number(), hardship: Type.Number(), unionMember: Type.Number(), allWorkers: Type.Number() }),
  placesPerMonth: Type.Number(),
  freePlaces: Type.Number(),
  discountedPlaces: Type.Number(),
});
