// Turns schema-validation errors (Ajv's shape, as Fastify reports them) into zh-CN messages,
// per field for forms and as one sentence for the API.

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
