// Services throw AppError with a code; the one error handler in app.ts maps the code to its
// HTTP status through this table, so a code always means the same status everywhere.
const STATUS_BY_CODE = {
  VALIDATION_FAILED: 400,
  INVALID_USCC: 400,
  WEAK_PASSWORD: 400,
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  NOT_FOUND: 404,
  DUPLICATE_EMAIL: 409,
  DUPLICATE_USCC: 409,
  FILE_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export class AppError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** the form field the error belongs to, so a page can show it beside that field */
    readonly field?: string,
  ) {
    super(message);
    this.statusCode = STATUS_BY_CODE[code];
  }
}

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}
