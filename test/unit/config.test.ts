import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { enteredShareSecret } from '../../server/domain/opening/entered-shares.ts';

describe('config', () => {
  it('has the defaults of SPEC §6', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: null,
      storageDir: path.resolve('./storage'),
      host: '127.0.0.1',
      port: 3000,
      maxUploadMb: 50,
      minTenderDays: 20,
      publicUrl: 'http://127.0.0.1:3000',
      testClock: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@localhost:5432/portal',
      STORAGE_DIR: '/tmp/portal',
      HOST: '0.0.0.0',
      PORT: '8080',
      MAX_UPLOAD_MB: '200',
      MIN_TENDER_DAYS: '25',
      PUBLIC_URL: 'https://zhaomu.example.org/',
      ADMIN_EMAIL: 'Admin@Example.org',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@localhost:5432/portal',
      storageDir: '/tmp/portal',
      port: 8080,
      maxUploadMb: 200,
      minTenderDays: 25,
      publicUrl: 'https://zhaomu.example.org',
      adminEmail: 'admin@example.org',
    });
  });

  it('takes the signing certificate with its password, and refuses one without', () => {
    expect(loadConfig({ SIGNING_P12: '/etc/portal/centre.p12', SIGNING_P12_PASSWORD: 'secret' })).toMatchObject({
      signingP12: '/etc/portal/centre.p12',
      signingP12Password: 'secret',
    });
    expect(() => loadConfig({ SIGNING_P12: '/etc/portal/centre.p12' })).toThrow(/SIGNING_P12_PASSWORD/);
    expect(loadConfig({}).signingP12).toBeNull();
  });

  it('takes the entered-share secret from outside the storage, and refuses a short one', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig({ ENTERED_SHARE_SECRET: secret }).enteredShareSecret).toBe(secret);
    expect(loadConfig({}).enteredShareSecret).toBeNull();
    expect(() => loadConfig({ ENTERED_SHARE_SECRET: 'short' })).toThrow(/ENTERED_SHARE_SECRET/);
    const storage = {
      secret: (): string => {
        throw new Error('the storage is not asked when the secret is set');
      },
    };
    expect(enteredShareSecret(secret, storage)).toEqual(enteredShareSecret(secret, storage));
    expect(enteredShareSecret(secret, storage)).toHaveLength(32);
    expect(enteredShareSecret(null, { secret: () => Buffer.alloc(32, 7).toString('base64url') })).toEqual(Buffer.alloc(32, 7));
  });

  it('reads object storage from STORAGE_URL (bucket, prefix, endpoint, region, path style) and refuses keys in it', () => {
    expect(loadConfig({}).objectStorage).toBeNull();
    expect(loadConfig({ STORAGE_URL: 's3://portal-files/prod/bids?endpoint=https://oss.example.cn:9000&region=cn-north-1&path_style=true' }).objectStorage).toEqual({
      bucket: 'portal-files',
      prefix: 'prod/bids',
      endpoint: 'https://oss.example.cn:9000',
      region: 'cn-north-1',
      forcePathStyle: true,
    });
    expect(loadConfig({ STORAGE_URL: 's3://portal-files', AWS_REGION: 'eu-west-1' }).objectStorage).toEqual({
      bucket: 'portal-files',
      prefix: '',
      endpoint: null,
      region: 'eu-west-1',
      forcePathStyle: false,
    });
    expect(() => loadConfig({ STORAGE_URL: 's3://AKIA:secret@portal-files/p' })).toThrow(/AWS_ACCESS_KEY_ID/);
    expect(() => loadConfig({ STORAGE_URL: '/srv/portal-files' })).toThrow(/STORAGE_URL/);
    expect(() => loadConfig({ STORAGE_URL: 's3://portal-files/p?endpiont=http://x' })).toThrow(/endpiont/);
    expect(() => loadConfig({ STORAGE_URL: 's3://portal-files/p?path_style=yes' })).toThrow(/path_style/);
  });

  it('refuses the test clock in production', () => {
    expect(() => loadConfig({ PORTAL_TEST_CLOCK: '1', NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadConfig({ PORTAL_TEST_CLOCK: '1' }).testClock).toBe(true);
  });

  it('reads the owner URL migrations run as, only beside DATABASE_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://portal@db/portal', DATABASE_OWNER_URL: 'postgres://portal_owner@db/portal' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://portal@db/portal', databaseOwnerUrl: 'postgres://portal_owner@db/portal' });
    expect(loadConfig({}).databaseOwnerUrl).toBeNull();
    expect(() => loadConfig({ DATABASE_OWNER_URL: 'postgres://portal_owner@db/portal' })).toThrow(/DATABASE_OWNER_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://portal@db/portal', DATABASE_OWNER_URL: 'mysql://x' })).toThrow(/DATABASE_OWNER_URL/);
  });

  it('lists every bad setting at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MAX_UPLOAD_MB: '0', ADMIN_PASSWORD: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(4);
    }
  });

  it('refuses a registration limit under SPEC §5’s 30 an hour', () => {
    expect(() => loadConfig({ REGISTRATIONS_PER_HOUR: '29' })).toThrow(ConfigError);
    expect(loadConfig({}).registrationsPerHour).toBe(30);
    expect(loadConfig({ REGISTRATIONS_PER_HOUR: '600' }).registrationsPerHour).toBe(600);
  });

  it('reads WEB_CONCURRENCY: one process by default, a count or one worker per CPU, on PostgreSQL only', () => {
    const postgres = { DATABASE_URL: 'postgres://portal@db/portal' };
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ WEB_CONCURRENCY: '1' }).workers).toBe(1);
    expect(loadConfig({ ...postgres, WEB_CONCURRENCY: '4' }).workers).toBe(4);
    expect(loadConfig({ ...postgres, WEB_CONCURRENCY: 'auto' }).workers).toBe(Math.min(availableParallelism(), 64));
    for (const bad of ['0', 'two', '1.5', '65']) {
      expect(() => loadConfig({ ...postgres, WEB_CONCURRENCY: bad })).toThrow(/WEB_CONCURRENCY 必须是 1 到 64 之间的整数，或 auto/);
    }
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow(/WEB_CONCURRENCY=2 需要 PostgreSQL（设置 DATABASE_URL）：内置数据库 PGlite 只能由一个进程打开/);
    expect(() => loadConfig({ ...postgres, WEB_CONCURRENCY: '2', PORTAL_TEST_CLOCK: '1' })).toThrow(/PORTAL_TEST_CLOCK=1 只能用于单个进程/);
  });
});
