import { AppError } from '../errors.ts';

// Turns schema-validation errors (Ajv's shape, as Fastify reports them) into zh-CN messages,
// per field for forms and as one sentence for the API; and the text rules every input keeps.

/**
 * What no one-line text (a name, title, e-mail, address, file name…) may hold: C0 and C1 control
 * characters, line breaks and tabs included, and the bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069), which reorder what a reader sees ("\u202Efdp.exe" reads
 * "exe.pdf"). A line break in a name became an extra line in other people's mails and PDFs.
 */
const NOT_IN_A_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** the `one-line` string format of the route schemas (OneLine in schemas.ts) */
export function isOneLine(value: string): boolean {
  return !NOT_IN_A_LINE.test(value);
}

export const ONE_LINE_MESSAGE = '不能包含换行、制表符等控制字符或文字方向控制符';

/** The path (`a/b/0`) of the first string holding NUL, which PostgreSQL text cannot store; else null. */
export function nulPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = nulPath(item, path ? `${path}/${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/** A NUL anywhere in a request's text is refused before anything reads it. */
export function refuseNul(field: string): never {
  throw new AppError('VALIDATION_FAILED', `请求参数无效（${field || '请求'}：不能包含空字符 NUL）`, field || undefined);
}

/** A client's file name is shown in receipts, mails and PDFs: one line, like every name. */
export function checkFileName(name: string, field: string): void {
  if (!isOneLine(name)) throw new AppError('VALIDATION_FAILED', `请求参数无效（${field}：文件名${ONE_LINE_MESSAGE}）`, field);
}

export interface SchemaIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

function fieldOf(issue: SchemaIssue): string {
  if (issue.keyword === 'required') return String(issue.params.missingProperty ?? '');
  const [first = ''] = issue.instancePath.replace(/^\//, '').split('/');
  return first;
}

function describe(issue: SchemaIssue): string {
  const limit = issue.params.limit;
  switch (issue.keyword) {
    case 'required':
      return '必填';
    case 'minLength':
      return limit === 1 ? '必填' : `至少 ${limit} 个字符`;
    case 'maxLength':
      return `不能超过 ${limit} 个字符`;
    case 'format':
      if (issue.params.format === 'one-line') return ONE_LINE_MESSAGE;
      return issue.params.format === 'email' ? '邮箱格式不正确' : '格式不正确';
    case 'pattern':
      return '格式不正确';
    case 'minimum':
      return `不能小于 ${limit}`;
    case 'maximum':
      return `不能大于 ${limit}`;
    case 'minItems':
      return `至少 ${limit} 项`;
    case 'maxItems':
      return `不能超过 ${limit} 项`;
    case 'type':
      return '类型不正确';
    case 'additionalProperties':
      return `不允许的字段 ${String(issue.params.additionalProperty)}`;
    default:
      return '取值不在允许范围内';
  }
}

/** The first message for each field. */
export function fieldErrors(issues: readonly SchemaIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = fieldOf(issue) || '_';
    errors[field] ??= describe(issue);
  }
  return errors;
}

export function validationMessage(issues: readonly SchemaIssue[]): string {
  const parts = Object.entries(fieldErrors(issues)).map(([field, message]) =>
    field === '_' ? message : `${field}：${message}`,
  );
  return `请求参数无效（${parts.join('；')}）`;
}
