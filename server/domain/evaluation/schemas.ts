import { Type } from 'typebox';
import { OneLine } from '../../lib/schemas.ts';

// Request shapes of the evaluation API. Rules that need the recruitment (which criteria, their
// maximum, which conditions) are checked by the service; these check the form of the request.

export const BidParams = Type.Object({ id: Type.String({ format: 'uuid' }), bidId: Type.String({ format: 'uuid' }) });
export const FileParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  bidId: Type.String({ format: 'uuid' }),
  fileId: Type.String({ format: 'uuid' }),
});

const Key = { pattern: '^[A-Za-z0-9_-]{1,32}$' };

export const DrawBody = Type.Object({
  size: Type.Integer({ minimum: 1, maximum: 99 }),
  specialties: Type.Optional(Type.Array(OneLine({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
});

export const SupplementaryDrawBody = Type.Object({ reason: Type.String({ maxLength: 2000 }) });

export const MemberReplacementBody = Type.Object({ userId: Type.String({ format: 'uuid' }), reason: Type.String({ maxLength: 2000 }) });

export const DeclarationBody = Type.Object({
  conflict: Type.Boolean(),
  note: Type.String({ maxLength: 2000 }),
});

export const Verdict = Type.Enum(['pass', 'fail']);

export const QualificationBody = Type.Object({
  results: Type.Record(Type.String(Key), Verdict, { additionalProperties: false }),
  reason: Type.String({ maxLength: 2000 }),
});

export const ScoresBody = Type.Object({
  scores: Type.Record(Type.String(Key), Type.Number(), { additionalProperties: false }),
  comment: Type.String({ maxLength: 5000 }),
});

export const CommentBody = Type.Object({ comment: Type.String({ maxLength: 5000 }) });

export const SignOffBody = Type.Object({ comment: Type.String({ maxLength: 2000 }) });
