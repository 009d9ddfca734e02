import { Type, type TSchema, type TStringOptions } from 'typebox';

// Shapes shared by the routes of every area.

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
});

export const bearerSecurity = [{ bearer: [] }];

/** `:id` in a route path: an opaque UUID */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A time in a reply: services hand out Date objects, serialised as ISO 8601. */
export const InstantOut = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });

/** A form field left blank (''), or a value of `schema`: a GET form sends every field, filled or not. */
export const blankOr = <T extends TSchema>(schema: T) => Type.Union([Type.Literal(''), schema]);

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A one-line text (name, title, e-mail, phone, address…): no control or bidi-override character
 * (isOneLine in validation.ts, registered with Ajv in app.ts as the `one-line` format).
 */
export const OneLine = (options: TStringOptions = {}) => Type.String({ ...options, format: 'one-line' });
