// How values read in the documents. Times are Beijing time (UTC+8 all year), whatever the zone of
// the server, as everywhere in the portal.

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

function beijing(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString();
}

/** 2025年6月30日 */
export function chineseDate(instant: Date): string {
  const [year, month, day] = beijing(instant).slice(0, 10).split('-').map(Number);
  return `${year}年${month}月${day}日`;
}

/** 2025-06-30 10:00:00 (北京时间 in the surrounding text) */
export function dateTime(instant: Date): string {
  return beijing(instant).slice(0, 19).replace('T', ' ');
}

/** a score with at most two decimals, no trailing zeros: 85, 85.5, 84.33 */
export function score(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export function percent(value: number): string {
  return `${score(value)}%`;
}

/** 36 个月（3 年） */
export function months(count: number): string {
  return count % 12 === 0 ? `${count} 个月（${count / 12} 年）` : `${count} 个月`;
}

const CHINESE_DIGITS = '零一二三四五六七八九';

/** 1 → 一, 12 → 十二, 20 → 二十: the numbering of agreement articles (up to 99) */
export function chineseNumber(value: number): string {
  if (value < 10) return CHINESE_DIGITS[value]!;
  const tens = Math.floor(value / 10);
  const ones = value % 10;
  return `${tens === 1 ? '' : CHINESE_DIGITS[tens]}十${ones === 0 ? '' : CHINESE_DIGITS[ones]}`;
}
