import { formatTime } from '../../lib/labels.ts';

// The vocabulary of the record's descriptions (describe.ts): the names ids stand for, a details
// reader that remembers which fields were put in words, and values in words.

/** The names an entry's ids and keys stand for, as the page has looked them up. */
export interface Names {
  /** a person, organisation, document, recruitment, or a bid (its organisation), by id */
  of(id: string): string | undefined;
  /** a lot's name by its key, in the entry's recruitment */
  lot(key: string): string | undefined;
}

/** The details of one entry, read field by field; what no describer read is shown as it is. */
export class Details {
  private readonly read = new Set<string>();

  constructor(private readonly fields: Record<string, unknown>) {}

  private take(key: string): unknown {
    this.read.add(key);
    return this.fields[key];
  }

  str(key: string): string | undefined {
    const value = this.take(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  num(key: string): number | undefined {
    const value = this.take(key);
    return typeof value === 'number' ? value : undefined;
  }

  bool(key: string): boolean | undefined {
    const value = this.take(key);
    return typeof value === 'boolean' ? value : undefined;
  }

  list(key: string): unknown[] | undefined {
    const value = this.take(key);
    return Array.isArray(value) ? value : undefined;
  }

  /** an object field, readable in turn */
  record(key: string): Details | undefined {
    const value = this.take(key);
    return isRecord(value) ? new Details(value) : undefined;
  }

  /** the list's members that are objects, each readable in turn */
  records(key: string): Details[] {
    return (this.list(key) ?? []).filter(isRecord).map((item) => new Details(item));
  }

  /** fields that say nothing a reader needs (their meaning is in the other lines) */
  skip(...keys: string[]): void {
    for (const key of keys) this.read.add(key);
  }

  unread(): [string, unknown][] {
    return Object.entries(this.fields).filter(([key]) => !this.read.has(key));
  }
}

/** A line, or nothing when the field is absent. */
export type Line = string | null | undefined | false;

export type Describer = (details: Details, names: Names) => Line[];

export const KEY_LABELS: Record<string, string> = {
  comment: '意见',
  email: '电子邮箱',
  length: '字数',
  name: '名称',
  note: '说明',
  reason: '理由',
  round: '评审轮次',
  title: '标题',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value in words: ids by their names, instants in Beijing time, yes and no. */
export function words(value: unknown, names: Names): string {
  if (value === null || value === undefined || value === '') return '无';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'string') {
    if (UUID.test(value)) return names.of(value) ?? `编号 ${value.slice(0, 8)}`;
    if (INSTANT.test(value)) return formatTime(value);
    return value;
  }
  if (Array.isArray(value)) return value.length === 0 ? '无' : value.map((item) => words(item, names)).join('、');
  if (isRecord(value)) {
    return Object.entries(value)
      .map(([key, inner]) => `${KEY_LABELS[key] ?? key} ${words(inner, names)}`)
      .join('，');
  }
  return String(value);
}

/** The first 12 hex digits of a hash or digest, as people compare them. */
export const shortHex = (hex: string): string => `${hex.slice(0, 12)}…`;
