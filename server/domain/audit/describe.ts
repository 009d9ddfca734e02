import { DESCRIBERS } from './describe-actions.ts';
import { Details, KEY_LABELS, words, type Names } from './describe-words.ts';

export type { Names } from './describe-words.ts';

// An audit entry in words, for the record page: what it acted on, and its details as zh-CN lines.
// Each known action names its meaningful fields (describe-actions.ts); whatever it does not name,
// and every field of an action not known here, still shows as "key：value", so the page never
// hides a detail the log holds, and never shows raw JSON.

/** "key：value" for each field no describer put in words. */
function remainingLines(fields: [string, unknown][], names: Names): string[] {
  return fields.map(([key, value]) => `${KEY_LABELS[key] ?? key}：${words(value, names)}`);
}

/** The details of an entry as lines of zh-CN. */
export function describeDetails(action: string, details: Record<string, unknown>, names: Names): string[] {
  const reader = new Details(details);
  const described = DESCRIBERS[action]?.(reader, names) ?? [];
  return [...described.filter((line): line is string => typeof line === 'string' && line !== ''), ...remainingLines(reader.unread(), names)];
}

const TARGET_KINDS: Record<string, string> = {
  alert: '监督预警',
  announcement: '公告',
  bid: '响应文件',
  challenge: '质疑',
  document: '签发文件',
  objection: '开标异议',
  organization: '单位',
  partnership: '合作关系',
  publication: '公告发布渠道',
  question: '提问',
  recruitment: '招募项目',
  session: '登录会话',
  user: '账号',
};

/** What an entry acted on: its kind in Chinese and, where known, its name, else a short id. */
export function describeTarget(target: string | null, names: Names): string | null {
  if (target === null) return null;
  const separator = target.indexOf(':');
  if (separator < 0) return target === 'escrow' ? '密钥托管' : target;
  const kind = target.slice(0, separator);
  const id = target.slice(separator + 1);
  const label = TARGET_KINDS[kind] ?? kind;
  const name = names.of(id);
  return name ? `${label}：${name}` : `${label}（编号 ${id.slice(0, 8)}）`;
}

