import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

// The bids of a restored database against its audit log, which the restore has verified (chain,
// recorded heads, signed checkpoints): every receipt the log records (`bid.submit`: the bid, its
// version, digest and number of files) must be there as recorded, no version may be there that the
// log does not record, and each bid's state must be what its last entry left. The rows and the
// manifest of a backup can be rewritten together; the log cannot, unseen.

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** The problems found, as sentences for the operator; none when every bid is as the log records it. */
export async function bidsAgainstAuditLog(db: Db): Promise<string[]> {
  const missing = await rows<{ target: string; version: string }>(
    db,
    sql`select a.target, a.details->>'version' as version from audit_log a
        where a.action = 'bid.submit' and not exists (
          select from bid_versions v
          where 'bid:' || v.bid_id::text = a.target and v.version = (a.details->>'version')::int and v.digest = a.details->>'digest'
            and (select count(*) from bid_files f where f.version_id = v.id) = (a.details->>'files')::int)
        order by a.seq`,
  );
  const unrecorded = await rows<{ bid: string; version: number }>(
    db,
    sql`select v.bid_id::text as bid, v.version from bid_versions v
        where not exists (
          select from audit_log a
          where a.action = 'bid.submit' and a.target = 'bid:' || v.bid_id::text
            and (a.details->>'version')::int = v.version and a.details->>'digest' = v.digest)
        order by v.bid_id, v.version`,
  );
  const misstated = await rows<{ bid: string }>(
    db,
    sql`select b.id::text as bid from bids b
        left join (
          select distinct on (target) target, action, (details->>'version')::int as version from audit_log
          where action in ('bid.submit', 'bid.withdraw') order by target, seq desc
        ) last on last.target = 'bid:' || b.id::text
        where last.target is null or (b.status = 'withdrawn') <> (last.action = 'bid.withdraw')
          or b.current_version <> (select max((details->>'version')::int) from audit_log where action = 'bid.submit' and target = 'bid:' || b.id::text)
        order by b.id`,
  );
  return [
    ...missing.map(({ target, version }) => `操作日志记载的回执 ${target.slice('bid:'.length)} 第 ${version} 版在恢复的数据中缺失或与回执不符`),
    ...unrecorded.map(({ bid, version }) => `响应文件 ${bid} 第 ${version} 版没有操作日志记载的提交`),
    ...misstated.map(({ bid }) => `响应文件 ${bid} 的状态或版本与操作日志不符`),
  ];
}
