import { Type } from 'typebox';
import { InstantOut, Nullable } from '../../lib/schemas.ts';
import { DOCUMENT_KINDS } from '../../lib/pdf/templates/template.ts';

export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) });

/** Uploads to the verify page are PDFs as issued: a few hundred KB; this leaves ample room. */
export const MAX_VERIFY_UPLOAD_BYTES = 20 * 1024 * 1024;

const Kind = Type.Enum(DOCUMENT_KINDS);

export const DocumentSummary = Type.Object({
  id: Type.String(),
  kind: Kind,
  kindName: Type.String(),
  title: Type.String(),
  bidId: Nullable(Type.String()),
  organizationId: Nullable(Type.String()),
  sha256: Type.String(),
  size: Type.Integer(),
  verifyCode: Type.String(),
  issuedAt: InstantOut,
  status: Type.Union([Type.Literal('issued'), Type.Literal('mailed')]),
  mailedAt: Nullable(InstantOut),
  url: Type.String(),
  verifyUrl: Type.String(),
});

export const Verification = Type.Object({
  verifyCode: Type.String(),
  kind: Kind,
  kindName: Type.String(),
  title: Type.String(),
  /** null for an audit checkpoint */
  recruitment: Nullable(Type.Object({ id: Type.String(), title: Type.String(), owner: Type.String() })),
  organization: Nullable(Type.String()),
  issuedAt: InstantOut,
  sha256: Type.String(),
  size: Type.Integer(),
  status: Type.Union([Type.Literal('issued'), Type.Literal('mailed')]),
  templateVersion: Type.String(),
  templateSha256: Type.String(),
});

export const FileCheck = Type.Object({
  ...Verification.properties,
  uploaded: Type.Object({ sha256: Type.String(), size: Type.Integer() }),
  match: Type.Boolean(),
});
