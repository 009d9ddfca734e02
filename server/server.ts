import cluster from 'node:cluster';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { buildApp } from './app.ts';
import { unverifiedRestore } from './backup/restore.ts';
import { announce, runPrimary, STOP_GRACE_MS } from './cluster.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDatabase } from './db/client.ts';
import { LEFTOVER_AFTER_MS } from './domain/bids/service.ts';
import { createAdjustableClock, createClock } from './lib/clock.ts';
import { batchedStdout, requestLogSerializers } from './lib/request-log.ts';
import { loadSigner, type LoadedSigner } from './lib/signing-key.ts';
import { createStorage, StorageInUseError, type Storage } from './lib/storage.ts';

/** a port free on `host` now, as the system picks one for port 0 */
async function freePort(host: string): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function readConfig(): Promise<Config> {
  try {
    const config = loadConfig();
    // PORT=0 takes any free port, chosen before the app is built so that the links it mails and
    // prints on documents name the port it listens on
    return config.port === 0 ? loadConfig({ ...process.env, PORT: String(await freePort(config.host)) }) : config;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

function readSigner(config: Config, storage: Storage, now: Date): LoadedSigner {
  try {
    return loadSigner({ p12Path: config.signingP12, password: config.signingP12Password, storage, now });
  } catch (error) {
    console.error(
      config.signingP12
        ? `无法读取签名证书 SIGNING_P12（${config.signingP12}）：请检查文件路径和 SIGNING_P12_PASSWORD。`
        : '无法生成或读取开发用签名证书：',
      error instanceof Error ? error.message : error,
    );
    process.exit(1);
  }
}

function openStorage(config: Config): Storage {
  try {
    return createStorage(config.storageDir, config.objectStorage);
  } catch (error) {
    console.error(
      `无法将存储目录 STORAGE_DIR（${config.storageDir}）设为仅本服务用户可访问（0700）：请以该目录的所有者身份运行，或换用本用户拥有的目录。`,
      error instanceof Error ? error.message : error,
    );
    process.exit(1);
  }
}

/**
 * The embedded database is one process's: a second one on the same storage would lose data
 * silently (issue 13), so it refuses to start, naming the holder.
 */
async function claimStorage(storage: Storage, now: Date): Promise<() => Promise<void>> {
  try {
    return await storage.claimForThisProcess(now, (error) => {
      console.error('内置数据库的存储目录锁已失效（锁文件被删除或长时间未能刷新），为免数据损坏，服务器立即退出：', error.message);
      process.exit(1);
    });
  } catch (error) {
    if (!(error instanceof StorageInUseError)) throw error;
    const holder = error.holder;
    console.error(
      `存储目录 STORAGE_DIR（${storage.root}）正由另一个进程使用${holder ? `（PID ${holder.pid}，主机 ${holder.hostname}，自 ${holder.since} 起）` : ''}：` +
        '内置数据库只能由一个进程打开。请先停止该进程；需要多个实例时请改用 PostgreSQL（设置 DATABASE_URL）。',
    );
    process.exit(1);
  }
}

async function main() {
  // Everything the server writes (the embedded database, sealed bids, documents, secrets) is
  // readable by its own user only, whatever umask the shell had: set before any file is made.
  process.umask(0o077);
  const config = await readConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    runPrimary(config);
    return;
  }
  const storage = openStorage(config);
  const clock = config.testClock ? createAdjustableClock() : createClock();
  const signing = readSigner(config, storage, clock.now());
  const releaseStorage = config.databaseUrl ? null : await claimStorage(storage, clock.realNow());
  if (!config.databaseUrl) console.log(`使用内置数据库 PGlite：${storage.databaseDir}（首次创建需要几秒钟）`);
  const database = await createDatabase({
    url: config.databaseUrl,
    ownerUrl: config.databaseOwnerUrl,
    dataDir: storage.databaseDir,
    onPoolError: (error) => console.error('PostgreSQL 连接出错（将自动重连）：', error.message),
  });
  await database.migrate();
  const restoring = await unverifiedRestore(database.db);
  if (restoring) {
    console.error(
      `数据库是从备份 ${restoring.source} 恢复的（${restoring.startedAt.toISOString()} 开始），但恢复尚未通过核验（文件与操作日志）：服务器不在未核验的数据上启动。` +
        '请查看 npm run restore 的输出；恢复失败时请清空数据库和存储目录后重新恢复（见 README 的 “Backup and restore”）。',
    );
    process.exit(1);
  }
  const auditLogExposed = await database.canAlterAuditLog();
  if (auditLogExposed && config.databaseOwnerUrl) {
    console.error('DATABASE_URL 的数据库角色仍可修改操作日志（它拥有 audit_log 或有 UPDATE/DELETE/TRUNCATE 权限）：请改用只属于 portal_app 的角色（见 README 的 “Database roles”）。');
    process.exit(1);
  }

  const logStream = batchedStdout();
  const app = await buildApp({
    config,
    db: database.db,
    clock,
    storage,
    signer: signing.signer,
    logger: { level: config.logLevel, serializers: requestLogSerializers, stream: logStream },
  });
  // what a crash left in the storage: temporary files, bid files and signed documents no row
  // refers to, once not written to for `quietForMs` (bids/service.ts cleanUpLeftovers)
  const cleanUp = async (quietForMs: number) => {
    const bids = await app.services.bids.cleanUpLeftovers(quietForMs);
    const documents = await app.services.documents.cleanUpOrphans(quietForMs);
    if (bids.temporary + bids.orphans + documents > 0) {
      app.log.warn({ ...bids, documents }, 'removed files left by interrupted bid submissions or document production');
    }
  };
  // the embedded database has one process, so at its start nothing else is writing the storage
  await cleanUp(database.engine === 'pglite' ? 0 : LEFTOVER_AFTER_MS);
  const admin = await app.services.accounts.ensureAdmin({ email: config.adminEmail, password: config.adminPassword });
  // documents a previous run did not finish (a crash, a failed render or mail) are issued now
  await app.services.documents.scheduleAllMissing();

  let stopCheckpoints = () => {};
  let stopDigests = () => {};
  // what a crash left in the storage is removed once old enough for no other process to be
  // writing it: at start, and then as often
  const cleanUps = setInterval(() => {
    cleanUp(LEFTOVER_AFTER_MS).catch((error: unknown) =>
      app.log.error({ err: error }, 'clean-up of leftover files failed; tried again later'),
    );
    app.services.opening.forgetExpiredShares().catch((error: unknown) => app.log.error({ err: error }, 'removing expired opening shares failed; tried again later'));
  }, LEFTOVER_AFTER_MS);
  cleanUps.unref();
  // documents another instance made due and did not produce (it died) are issued at the next sweep
  const stopSweep = app.services.documents.startSweep(config.documentSweepS * 1000, (error) =>
    app.log.error({ err: error }, 'sweep for missing documents failed; tried again later'),
  );
  // red flags are raised within seconds of the data that shows them, by whichever instance
  const stopWatch = app.services.inspection.review.startWatch(config.alertReviewS * 1000, (error, recruitmentId) =>
    app.log.error({ err: error, recruitmentId }, 'red-flag review failed; tried again at the next change'),
  );
  // an award whose agreement is not signed by the award notice's deadline lapses (reads lapse it too)
  const stopLapseSweep = app.services.partnerships.startLapseSweep(config.documentSweepS * 1000, (error) =>
    app.log.error({ err: error }, 'sweep for lapsed awards failed; tried again later'),
  );
  // a term ended without its final review completed is recorded for the inspector (reads record it too)
  const stopOutstandingSweep = app.services.reviews.startOutstandingSweep(config.documentSweepS * 1000, (error) =>
    app.log.error({ err: error }, 'sweep for outstanding final reviews failed; tried again later'),
  );
  // an award whose sign-off has come to wait as publicity ended is told to its inspector within a minute
  const stopAwardWatch = app.services.notifications.signOffs.startAwardWatch();
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    stopCheckpoints();
    stopDigests();
    stopAwardWatch();
    stopSweep();
    stopLapseSweep();
    stopOutstandingSweep();
    stopWatch();
    clearInterval(cleanUps);
    // new connections are refused at once; the uploads under way finish and get their receipts,
    // for STOP_GRACE_MS at most (an unfinished one is then lost as in a crash: no receipt, no bid)
    setTimeout(() => {
      app.log.warn('requests still under way after the grace period; stopping anyway');
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    await app.close();
    await database.close();
    await releaseStorage?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const lines = [
    '',
    '职工服务中心合作伙伴招募平台已启动',
    `  访问地址：${url}/`,
    `  登录页面：${url}/login    API 文档：${url}/docs`,
    `  数据库：${database.engine === 'pglite' ? `内置 PGlite（${storage.databaseDir}）` : 'PostgreSQL'}`,
  ];
  if (admin) {
    lines.push(`  首次启动，已创建管理员账号：${admin.email}`);
    lines.push(
      admin.generated
        ? `  初始密码（只显示这一次，请立即记录）：${admin.password}`
        : '  密码为 ADMIN_PASSWORD 中设置的密码',
    );
  } else {
    lines.push('  管理员账号已存在；请用已有账号登录');
  }
  lines.push(`  响应文件与签发文件存储：${storage.blobLocation}`);
  lines.push(`  文件签名证书：${signing.certificate.subject}（有效期至 ${signing.certificate.notAfter.toISOString().slice(0, 10)}）`);
  if (signing.development) {
    lines.push(
      '  警告：未设置 SIGNING_P12，已使用自动生成的开发测试证书签名文件（证书名称标明“开发测试用，不可信”），不可用于正式文件；',
      `        证书保存在 ${signing.location}。正式使用请设置 SIGNING_P12 和 SIGNING_P12_PASSWORD（可用 npm run signing-cert 生成试点证书）。`,
    );
  }
  if (auditLogExposed) {
    lines.push('  警告：服务器的数据库角色拥有操作日志表，只有触发器阻止修改；请设置 DATABASE_OWNER_URL 并让 DATABASE_URL 使用 portal_app 角色（见 README 的 “Database roles”）');
  }
  if (config.databaseUrl && !config.enteredShareSecret) {
    lines.push('  警告：未设置 ENTERED_SHARE_SECRET，开标时等待中的口令输入以存储目录中生成的密钥加密，同时掌握数据库和存储目录者可解密；正式使用请在存储目录之外设置（见 SECURITY.md “Entered shares”）');
  }
  if (config.testClock) lines.push('  警告：测试时钟已启用（PORTAL_TEST_CLOCK=1），不可用于生产');
  // what the start logged (the leftovers removed) is out before the server says it is ready: the
  // log is written in batches (batchedStdout)
  await new Promise((resolve) => logStream.flush(resolve));
  announce(lines);
  // the audit log's head, signed and mailed to the inspectors: now if today's is missing, then
  // daily; started once the server answers, as rendering the first PDF loads the fonts
  stopCheckpoints = app.services.checkpoints.startDailyCheckpoints((error) =>
    app.log.error({ err: error }, 'audit checkpoint not issued; tried again within the hour'),
  );
  // each inspector's daily digest, once its hour has passed, by whichever instance comes first
  stopDigests = app.services.notifications.digests.startDailyDigests((error) =>
    app.log.error({ err: error }, 'daily digest not sent'),
  );
}

main().catch((error: unknown) => {
  console.error('启动失败：', error);
  process.exit(1);
});
