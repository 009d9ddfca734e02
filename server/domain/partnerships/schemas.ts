import { Type } from 'typebox';

// Request shapes of the partnership API and pages; the rules that need the partnership are the service's.

const said = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

export const AcceptBody = Type.Object({ version: Type.Integer({ minimum: 1 }) });

export const ChangeRequestBody = Type.Object({ text: said(5000) });

/** `termMonths`: a revised version's term (the current one's when absent); refused above 60 and above the recruitment's. */
export const AnswerBody = Type.Object({
  answer: Type.Union([Type.Literal('revised'), Type.Literal('refused')]),
  text: said(5000),
  termMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
});

/** A PKCS#12 file is a few KB; one far larger is not one. */
export const MAX_P12_BYTES = 64 * 1024;

/** The route config of the signing upload: one file and its password, nothing stored. */
export const signingUploadConfig = { multipartOptions: { limits: { fileSize: MAX_P12_BYTES, files: 1, fields: 3 } } };

/** A termination: its reason, and what the agent adds about the site's fixed assets (optional). */
export const TerminateBody = Type.Object({
  reason: said(5000),
  assetHandling: Type.Optional(Type.String({ maxLength: 5000 })),
});
