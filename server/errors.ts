// Services throw AppError with a code; the one error handler in app.ts maps the code to its
// HTTP status through this table, so a code always means the same status everywhere.
const STATUS_BY_CODE = {
  VALIDATION_FAILED: 400,
  MULTIPART_INVALID: 400,
  INVALID_USCC: 400,
  DUPLICATE_KEY: 400,
  CRITERIA_SUM_NOT_100: 400,
  INVALID_MAX_SCORE: 400,
  AGREEMENT_TERM_TOO_LONG: 400,
  PUBLICITY_TOO_SHORT: 400,
  QUESTIONS_DEADLINE_AFTER_SUBMISSION: 400,
  DEADLINE_IN_PAST: 400,
  INVALID_INSPECTOR: 400,
  INVALID_ESCROW_HOLDER: 400,
  WRONG_PASSPHRASE: 400,
  WEAK_PASSWORD: 400,
  WEAK_PASSPHRASE: 400,
  INVALID_TOKEN: 400,
  WRONG_PASSWORD: 400,
  UNKNOWN_LOT: 400,
  DECLARATIONS_INCOMPLETE: 400,
  NOT_PDF: 415,
  FILE_REQUIRED: 400,
  OLD_PASSPHRASE_REQUIRED: 400,
  PANEL_SIZE_INVALID: 400,
  NOTE_REQUIRED: 400,
  NOT_ON_PANEL: 400,
  DUPLICATE_MEMBER: 400,
  QUALIFICATION_INCOMPLETE: 400,
  REASON_REQUIRED: 400,
  FINGERPRINT_NOT_CONFIRMED: 400,
  SCORES_INCOMPLETE: 400,
  UNKNOWN_CRITERION: 400,
  SCORE_OUT_OF_RANGE: 400,
  SCORE_OFF_STEP: 400,
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_PANEL_MEMBER: 403,
  NOT_CHAIR: 403,
  CSRF_INVALID: 403,
  NOT_FOUND: 404,
  DUPLICATE_EMAIL: 409,
  DUPLICATE_USCC: 409,
  INVALID_TRANSITION: 409,
  BID_KEY_MISMATCH: 409,
  NOT_DRAFT: 409,
  DECISION_REF_REQUIRED: 409,
  DEADLINE_TOO_SOON: 409,
  QUESTIONS_DEADLINE_PASSED: 409,
  DEADLINE_TOO_CLOSE: 409,
  NOT_OPEN_FOR_AMENDMENT: 409,
  QUESTIONS_CLOSED: 409,
  ALREADY_ANSWERED: 409,
  ALREADY_COUNTERSIGNED: 409,
  NOT_PUBLISHED: 409,
  KEY_HOLDER_WITHOUT_KEY: 409,
  DEADLINE_PASSED: 409,
  NOT_ACCEPTING_BIDS: 409,
  ALREADY_WITHDRAWN: 409,
  TOO_EARLY: 409,
  OPENING_NOT_IN_PROGRESS: 409,
  ALREADY_OPENED: 409,
  NOT_OPENED: 409,
  OBJECTIONS_OPEN: 409,
  ALREADY_SIGNED_OFF: 409,
  AUDIT_LOG_BROKEN: 409,
  NOT_IN_EVALUATION: 409,
  EVALUATION_NOT_SIGNED_OFF: 409,
  NOT_IN_PUBLICITY: 409,
  PUBLICITY_CLOSED: 409,
  PUBLICITY_NOT_ENDED: 409,
  NOT_A_BIDDER: 403,
  EMAIL_NOT_VERIFIED: 403,
  CHALLENGES_OPEN: 409,
  CHALLENGE_UPHELD: 409,
  NO_UPHELD_CHALLENGE: 409,
  NO_VACANT_SEAT: 409,
  AWARD_NOT_SIGNED_OFF: 409,
  NOT_AWARDED: 409,
  PANEL_ALREADY_DRAWN: 409,
  PANEL_NOT_DRAWN: 409,
  NOT_ENOUGH_EXPERTS: 409,
  ALREADY_DECLARED: 409,
  DECLARATION_REQUIRED: 409,
  QUALIFICATION_PENDING: 409,
  QUALIFICATION_LOCKED: 409,
  BID_DISQUALIFIED: 409,
  SCORES_SUBMITTED: 409,
  SCORES_MISSING: 409,
  SCORES_PENDING: 409,
  JUSTIFICATION_REQUIRED: 409,
  ALREADY_CONFIRMED: 409,
  CONFIRMATIONS_PENDING: 409,
  PUBLIC_BENEFIT_TOO_LOW: 422,
  DEADLINE_BEFORE_MINIMUM: 422,
  NOT_KEY_HOLDER: 403,
  FILE_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export interface FieldError {
  code: ErrorCode;
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** the form field the error belongs to, so a page can show it beside that field */
    readonly field?: string,
    /** every broken rule when there are several; `code` is the first one's */
    readonly errors?: readonly FieldError[],
  ) {
    super(message);
    this.statusCode = STATUS_BY_CODE[code];
  }

  /** One error for a list of broken rules: the first gives the code, all travel along. */
  static fromViolations(violations: readonly [FieldError, ...FieldError[]]): AppError {
    const [first] = violations;
    return new AppError(first.code, violations.map((v) => v.message).join('；'), first.field, violations);
  }
}

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}
