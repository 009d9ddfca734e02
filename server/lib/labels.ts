import type { Role } from '../db/schema.ts';

// zh-CN names shown on pages and in documents.

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  agent: '招标代理',
  bidder: '社会组织',
  expert: '评审专家',
  inspector: '纪检监督员',
};

const TIME_FORMAT = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Times are shown in Beijing time whatever the server's zone. */
export function formatTime(value: Date | string): string {
  return `${TIME_FORMAT.format(new Date(value))}（北京时间）`;
}
