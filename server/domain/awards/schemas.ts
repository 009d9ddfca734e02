import { Type } from 'typebox';

// Request shapes of the publicity and award API; the rules that need the recruitment are the service's.

/** Text that must say something: not empty, not only spaces. */
const said = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

export const ChallengeBody = Type.Object({ text: said(5000) });

export const ChallengeAnswerBody = Type.Object({ text: said(5000), upheld: Type.Boolean() });

export const AwardSignOffBody = Type.Object({ comment: Type.String({ maxLength: 2000 }) });

/** `replace`: user ids of seated panel members the next experts of the draw sequence replace. */
export const RedoBody = Type.Object({
  reason: said(2000),
  replace: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 25 })),
});
