import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { S3Location } from './lib/storage.ts';

// The only module that reads process.env (STYLE.md). Everything else receives a Config.

export interface Config {
  readonly databaseUrl: string | null;
  /** the tables' owner, for migrations only; the server then works as DATABASE_URL's role */
  readonly databaseOwnerUrl: string | null;
  readonly storageDir: string;
  /** STORAGE_URL: bid files and documents in S3-compatible object storage instead of STORAGE_DIR */
  readonly objectStorage: S3Location | null;
  readonly host: string;
  readonly port: number;
  readonly sessionSecret: string | null;
  /** encrypts the passphrase entries waiting at an opening (opening/entered-shares.ts) */
  readonly enteredShareSecret: string | null;
  readonly adminEmail: string | null;
  readonly adminPassword: string | null;
  readonly signingP12: string | null;
  readonly signingP12Password: string | null;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly maxUploadMb: number;
  readonly minTenderDays: number;
  /** organisation registrations allowed per address per hour (SPEC §5: no fewer than 30) */
  readonly registrationsPerHour: number;
  readonly publicUrl: string;
  readonly testClock: boolean;
  readonly production: boolean;
  readonly logLevel: string;
  /** seconds a client has to send its request headers, and to stay silent within a request */
  readonly headersTimeoutS: number;
  readonly idleTimeoutS: number;
  /** how often each instance looks for documents due and missing */
  readonly documentSweepS: number;
  /** how often the red-flag watch reads the audit log for recruitments to review again */
  readonly alertReviewS: number;
  /** WEB_CONCURRENCY: worker processes sharing the port (server/cluster.ts); 1 = the server alone */
  readonly workers: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`配置错误：\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} 必须是 ${min} 到 ${max} 之间的整数（当前为 "${raw}"）`);
      return fallback;
    }
    return value;
  };

  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL 必须以 postgres:// 或 postgresql:// 开头');
  }
  const databaseOwnerUrl = text('DATABASE_OWNER_URL');
  if (databaseOwnerUrl !== null && (databaseUrl === null || !/^postgres(ql)?:\/\//.test(databaseOwnerUrl))) {
    problems.push('DATABASE_OWNER_URL 必须以 postgres:// 开头，且只能与 DATABASE_URL 一起设置');
  }
  const host = text('HOST') ?? '127.0.0.1';
  const port = integer('PORT', 3000, 0, 65535);
  const production = env.NODE_ENV === 'production';
  const testClock = env.PORTAL_TEST_CLOCK === '1';
  if (testClock && production) {
    problems.push('PORTAL_TEST_CLOCK=1 不能与 NODE_ENV=production 同时使用');
  }
  const sessionSecret = text('SESSION_SECRET');
  if (sessionSecret !== null && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET 至少需要 32 个字符');
  }
  const enteredShareSecret = text('ENTERED_SHARE_SECRET');
  if (enteredShareSecret !== null && enteredShareSecret.length < 32) {
    problems.push('ENTERED_SHARE_SECRET 至少需要 32 个字符');
  }
  const adminPassword = text('ADMIN_PASSWORD');
  if (adminPassword !== null && adminPassword.length < 10) {
    problems.push('ADMIN_PASSWORD 至少需要 10 个字符');
  }
  const signingP12 = text('SIGNING_P12');
  const signingP12Password = env.SIGNING_P12_PASSWORD ?? null;
  if (signingP12 !== null && signingP12Password === null) {
    problems.push('设置了 SIGNING_P12 时必须同时设置 SIGNING_P12_PASSWORD（证书文件的密码）');
  }
  const publicUrl = (text('PUBLIC_URL') ?? `http://${host}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(publicUrl)) {
    problems.push('PUBLIC_URL 必须以 http:// 或 https:// 开头');
  }

  const workers = parseWorkers(text('WEB_CONCURRENCY'), problems);
  if (workers > 1 && databaseUrl === null) {
    problems.push(`WEB_CONCURRENCY=${workers} 需要 PostgreSQL（设置 DATABASE_URL）：内置数据库 PGlite 只能由一个进程打开，多个工作进程请改用 PostgreSQL，或设 WEB_CONCURRENCY=1`);
  }
  if (workers > 1 && testClock) {
    problems.push(`PORTAL_TEST_CLOCK=1 只能用于单个进程（WEB_CONCURRENCY=1）：各工作进程的测试时钟互不相通`);
  }

  const objectStorage = parseStorageUrl(text('STORAGE_URL'), text('AWS_REGION') ?? text('AWS_DEFAULT_REGION'), problems);

  const config: Config = {
    databaseUrl,
    databaseOwnerUrl,
    storageDir: path.resolve(text('STORAGE_DIR') ?? './storage'),
    objectStorage,
    host,
    port,
    sessionSecret,
    enteredShareSecret,
    adminEmail: text('ADMIN_EMAIL')?.toLowerCase() ?? null,
    adminPassword,
    signingP12,
    signingP12Password,
    smtpUrl: text('SMTP_URL'),
    mailFrom: text('MAIL_FROM') ?? '职工服务中心合作伙伴招募平台 <noreply@localhost>',
    maxUploadMb: integer('MAX_UPLOAD_MB', 50, 1, 4096),
    minTenderDays: integer('MIN_TENDER_DAYS', 20, 0, 365),
    registrationsPerHour: integer('REGISTRATIONS_PER_HOUR', 30, 30, 1_000_000),
    publicUrl,
    testClock,
    production,
    logLevel: text('LOG_LEVEL') ?? 'info',
    headersTimeoutS: integer('HTTP_HEADERS_TIMEOUT_S', 15, 1, 600),
    idleTimeoutS: integer('HTTP_IDLE_TIMEOUT_S', 60, 1, 3600),
    documentSweepS: integer('DOCUMENT_SWEEP_S', 60, 1, 3600),
    alertReviewS: integer('ALERT_REVIEW_S', 5, 1, 3600),
    workers,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

const MAX_WORKERS = 64;

/** WEB_CONCURRENCY: unset → 1, `auto` → one worker per CPU, else a count */
function parseWorkers(raw: string | null, problems: string[]): number {
  if (raw === null) return 1;
  if (raw.toLowerCase() === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 1 && value <= MAX_WORKERS) return value;
  problems.push(`WEB_CONCURRENCY 必须是 1 到 ${MAX_WORKERS} 之间的整数，或 auto（每个 CPU 一个工作进程）（当前为 "${raw}"）`);
  return 1;
}

const STORAGE_URL_OPTIONS = new Set(['endpoint', 'region', 'path_style']);

/**
 * STORAGE_URL=s3://bucket/prefix?endpoint=https://host:port&region=name&path_style=true — the
 * credentials never go here: the AWS SDK reads them from its standard variables (README "Settings").
 */
function parseStorageUrl(raw: string | null, regionFromEnv: string | null, problems: string[]): S3Location | null {
  if (raw === null) return null;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || url.protocol !== 's3:' || !url.hostname || url.username || url.password) {
    problems.push('STORAGE_URL 必须形如 s3://存储桶/前缀（访问密钥请用 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY 设置，不要写在网址里）');
    return null;
  }
  const unknown = [...url.searchParams.keys()].filter((key) => !STORAGE_URL_OPTIONS.has(key));
  if (unknown.length > 0) problems.push(`STORAGE_URL 含未知参数 ${unknown.join('、')}（可用：endpoint、region、path_style）`);
  const endpoint = url.searchParams.get('endpoint');
  if (endpoint !== null && !/^https?:\/\/[^/]/.test(endpoint)) problems.push('STORAGE_URL 的 endpoint 必须以 http:// 或 https:// 开头');
  const pathStyle = url.searchParams.get('path_style');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') problems.push('STORAGE_URL 的 path_style 只能是 true 或 false');
  return {
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    endpoint,
    region: url.searchParams.get('region') ?? regionFromEnv ?? 'us-east-1',
    forcePathStyle: pathStyle === 'true',
  };
}
