import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { sql, type SQL } from 'drizzle-orm';
import { MIGRATIONS_DIR, type Db } from '../db/client.ts';

// A logical dump of every table of the public schema, the same on PostgreSQL and PGlite: one JSON
// line per row (row_to_json, whose text json_populate_recordset reads back into the same types:
// bytea as hex, timestamps with their offset, jsonb, arrays, enums). It is loaded into a database
// migrated to the same migration, in foreign-key order, and the sequences are set after it.

const PAGE = 1000;
const LOAD_BATCH = 500;
/** never part of a backup: it marks a restore that has not been verified yet */
export const RESTORE_MARKER_TABLE = 'restore_pending';

type Queryable = Pick<Db, 'execute'>;

async function rows<T>(db: Queryable, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

const table = (name: string) => sql`public.${sql.identifier(name)}`;

export async function publicTables(db: Queryable): Promise<string[]> {
  const found = await rows<{ name: string }>(
    db,
    sql`select relname as name from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') order by relname`,
  );
  return found.map((row) => row.name).filter((name) => name !== RESTORE_MARKER_TABLE);
}

export interface DumpedTable {
  table: string;
  rows: number;
  /** the file in the backup folder, relative to it */
  path: string;
  size: number;
  sha256: string;
}

/** Writes every row of `name` to `file`, page by page (keyset on ctid, stable within the snapshot). */
async function dumpTable(db: Queryable, name: string, folder: string): Promise<DumpedTable> {
  const relative = `database/${name}.jsonl`;
  const out = createWriteStream(path.join(folder, relative), { flags: 'wx', mode: 0o600, flush: true });
  const hash = createHash('sha256');
  let count = 0;
  let size = 0;
  let after = '(0,0)';
  for (;;) {
    const page = await rows<{ at: string; line: string }>(
      db,
      sql`select ctid::text as at, row_to_json(t)::text as line from ${table(name)} as t where ctid > ${after}::tid order by ctid limit ${PAGE}`,
    );
    for (const { line } of page) {
      const bytes = Buffer.from(`${line}\n`);
      hash.update(bytes);
      size += bytes.length;
      if (!out.write(bytes)) await once(out, 'drain');
    }
    count += page.length;
    if (page.length < PAGE) break;
    after = page.at(-1)!.at;
  }
  out.end();
  await once(out, 'close');
  return { table: name, rows: count, path: relative, size, sha256: hash.digest('hex') };
}

export async function dumpTables(db: Queryable, folder: string): Promise<DumpedTable[]> {
  const dumped: DumpedTable[] = [];
  for (const name of await publicTables(db)) dumped.push(await dumpTable(db, name, folder));
  return dumped;
}

/** The migration a database is at: how many are applied, the last one's name and hash. */
export interface MigrationState {
  count: number;
  tag: string | null;
  hash: string | null;
}

export async function migrationState(db: Queryable): Promise<MigrationState> {
  const [migrated] = await rows<{ found: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as found`);
  if (!migrated?.found) return { count: 0, tag: null, hash: null };
  const [state] = await rows<{ count: number; hash: string | null }>(
    db,
    sql`select count(*)::int as count, (select hash from drizzle.__drizzle_migrations order by id desc limit 1) as hash from drizzle.__drizzle_migrations`,
  );
  const count = state?.count ?? 0;
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return { count, tag: count > 0 ? (journal.entries[count - 1]?.tag ?? null) : null, hash: state?.hash ?? null };
}

/** Tables that hold any row: a restore goes only into a database where this is empty. */
export async function tablesInUse(db: Queryable): Promise<string[]> {
  const used: string[] = [];
  for (const name of await publicTables(db)) {
    const [row] = await rows<{ used: boolean }>(db, sql`select exists (select from ${table(name)}) as used`);
    if (row?.used) used.push(name);
  }
  return used;
}

/** Parents before children; a table referring to itself would need its rows in order, and none does. */
async function loadOrder(db: Queryable): Promise<string[]> {
  const names = await publicTables(db);
  const edges = await rows<{ child: string; parent: string }>(
    db,
    sql`select c.relname as child, p.relname as parent from pg_constraint k
        join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
        where k.contype = 'f' and k.connamespace = 'public'::regnamespace`,
  );
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (placed.has(name)) return;
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' → ')}`);
    for (const edge of edges) if (edge.child === name && edge.parent !== name) visit(edge.parent, [...path, name]);
    placed.add(name);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

async function insertLines(db: Queryable, name: string, columns: SQL, lines: string[]) {
  await db.execute(
    sql`insert into ${table(name)} (${columns}) overriding system value
        select ${columns} from json_populate_recordset(null::${table(name)}, ${`[${lines.join(',')}]`}::json)`,
  );
}

/**
 * Loads the dumped tables (files under `folder`) into `db`, which must be inside a transaction of
 * the tables' owner, then sets every sequence past the largest value loaded.
 */
export async function loadTables(db: Queryable, folder: string, dumped: readonly Pick<DumpedTable, 'table' | 'path'>[]) {
  const files = new Map(dumped.map((entry) => [entry.table, entry.path]));
  const order = await loadOrder(db);
  const unknown = [...files.keys()].filter((name) => !order.includes(name));
  if (unknown.length > 0) throw new Error(`the backup holds tables this database lacks: ${unknown.join(', ')}`);
  for (const name of order) {
    const file = files.get(name);
    if (!file) continue;
    const columnNames = await rows<{ name: string }>(
      db,
      sql`select attname as name from pg_attribute where attrelid = ${`public.${name}`}::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`,
    );
    const columns = sql.join(columnNames.map((column) => sql.identifier(column.name)), sql`, `);
    let batch: string[] = [];
    for await (const line of createInterface({ input: createReadStream(path.join(folder, file)), crlfDelay: Infinity })) {
      if (!line) continue;
      batch.push(line);
      if (batch.length === LOAD_BATCH) {
        await insertLines(db, name, columns, batch);
        batch = [];
      }
    }
    if (batch.length > 0) await insertLines(db, name, columns, batch);
  }
  const sequenced = await rows<{ table: string; column: string }>(
    db,
    sql`select table_name as "table", column_name as "column" from information_schema.columns
        where table_schema = 'public' and (is_identity = 'YES' or column_default like 'nextval(%')`,
  );
  for (const { table: name, column } of sequenced) {
    await db.execute(
      sql`select setval(pg_get_serial_sequence(${`public.${name}`}, ${column}), (select coalesce(max(${sql.identifier(column)}), 0) + 1 from ${table(name)}), false)`,
    );
  }
}
