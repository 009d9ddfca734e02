import { Type } from 'typebox';

// Shapes shared by the routes of every area.

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
});

export const bearerSecurity = [{ bearer: [] }];
