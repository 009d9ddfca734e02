import type { Role } from '../db/schema.ts';
import type { AlertSeverity, AlertStatus } from '../domain/inspection/types.ts';
import type { AnnouncementKind, PublicationChannel, RecruitmentStatus } from '../domain/recruitments/types.ts';

// zh-CN names shown on pages and in documents.

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  agent: '招标代理',
  bidder: '社会组织',
  expert: '评审专家',
  inspector: '纪检监督员',
};

/** Each role's desk: where sign-in lands when no page was asked for. */
export const ROLE_DESKS: Record<Role, string> = {
  admin: '/admin',
  agent: '/agent',
  bidder: '/bidder',
  expert: '/expert',
  inspector: '/inspector',
};

export const STATUS_LABELS: Record<RecruitmentStatus, string> = {
  draft: '草稿',
  published: '公告中',
  opening: '开标中',
  evaluation: '评审中',
  publicity: '结果公示中',
  awarded: '已确定入选',
  failed: '流标',
  cancelled: '已终止',
  suspended: '已暂停',
};

export const ANNOUNCEMENT_LABELS: Record<AnnouncementKind, string> = {
  announcement: '招募公告',
  amendment: '更正/澄清公告',
  cancellation: '终止公告',
  suspension: '暂停公告',
  resumption: '恢复公告',
  candidates: '中选候选人公示',
  award: '入选结果公告',
  redo: '中选候选人公示撤回及重新评审公告',
};

/**
 * What an announcement is about, without its kind: the portal titles its own notices (candidates,
 * results, redo, cancellation…) "<kind>：<recruitment>", while an agent's amendment has a title of
 * its own. Null when the title does not begin with the kind.
 */
export function announcementSubject(kind: AnnouncementKind, title: string): string | null {
  const prefix = `${ANNOUNCEMENT_LABELS[kind]}：`;
  return title.startsWith(prefix) ? title.slice(prefix.length) : null;
}

/** "<kind>：<title>", naming the kind once. */
export function announcementHeading(kind: AnnouncementKind, title: string): string {
  return `${ANNOUNCEMENT_LABELS[kind]}：${announcementSubject(kind, title) ?? title}`;
}

export const CHANNEL_LABELS: Record<PublicationChannel, string> = {
  trading_platform: '公共资源交易平台',
  union_website: '工会网站',
  newspaper: '报纸',
  other: '其他',
};

export const SEVERITY_LABELS: Record<AlertSeverity, string> = { high: '高', medium: '中', low: '低' };

export const ALERT_STATUS_LABELS: Record<AlertStatus, string> = { open: '待处理', dismissed: '已排除', escalated: '已上报' };

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

/** "3 天 4 小时 5 分" until a deadline; the page script counts down the same way. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return '已截止';
  const minutes = Math.floor(ms / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  return `${days} 天 ${hours} 小时 ${minutes % 60} 分`;
}
