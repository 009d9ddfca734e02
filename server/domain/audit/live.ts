import type { AuditEntryRow, AuditRecord, RecordFilter } from './record.ts';

// The record as it grows, for the pages that show it live. Each server process reads the log's new
// entries once per tick, however many pages are open, and hands each open page those its filter
// selects; the log is in the database, so an entry appended by any instance arrives. A page that
// reconnects (Last-Event-ID) or opens behind the feed first catches up with a query of its own.

/** An open page's share of the feed. */
export interface Subscriber {
  filter: RecordFilter;
  /** sends entries, in seq order; a rejection ends the subscriber */
  deliver(entries: AuditEntryRow[]): Promise<void>;
  /** the feed closes (the server stops): the page's stream is ended */
  end(): void;
}

const BATCH = 200;

export function matches(filter: RecordFilter, entry: AuditEntryRow): boolean {
  return (
    (!filter.recruitmentId || entry.recruitmentId === filter.recruitmentId) &&
    (!filter.action || entry.action === filter.action) &&
    (!filter.actorId || entry.actor?.id === filter.actorId) &&
    (!filter.from || entry.at >= filter.from) &&
    (!filter.until || entry.at < filter.until)
  );
}

export type AuditFeed = ReturnType<typeof createAuditFeed>;

export function createAuditFeed({
  record,
  everyMs,
  report,
}: {
  record: Pick<AuditRecord, 'listEntries' | 'headSeq'>;
  everyMs: number;
  report: (error: unknown) => void;
}) {
  /** each with the seq of the last entry it has been given, or passed over */
  const subscribers = new Map<Subscriber, { cursor: number }>();
  /** the seq up to which the shared read has gone; null while no page is open */
  let head: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  async function give(subscriber: Subscriber, entries: AuditEntryRow[]) {
    if (entries.length === 0) return;
    try {
      await subscriber.deliver(entries);
    } catch (error) {
      report(error);
      subscribers.delete(subscriber);
      subscriber.end();
    }
  }

  /** One read of the log; answers whether more is waiting (a batch came back full). */
  async function tick(): Promise<boolean> {
    if (subscribers.size === 0) {
      head = null;
      return false;
    }
    head ??= await record.headSeq();
    const shared = head;
    let more = false;
    for (const [subscriber, state] of subscribers) {
      if (state.cursor >= shared) continue;
      const missed = await record.listEntries({ ...subscriber.filter, afterSeq: state.cursor, before: shared + 1, order: 'asc', limit: BATCH });
      await give(subscriber, missed);
      const caughtUp = missed.length < BATCH;
      state.cursor = caughtUp ? shared : missed.at(-1)!.seq;
      more ||= !caughtUp;
    }
    const fresh = await record.listEntries({ afterSeq: shared, order: 'asc', limit: BATCH });
    const last = fresh.at(-1);
    if (!last) return more;
    for (const [subscriber, state] of subscribers) {
      if (state.cursor < shared) continue;
      await give(subscriber, fresh.filter((entry) => entry.seq > state.cursor && matches(subscriber.filter, entry)));
      state.cursor = Math.max(state.cursor, last.seq);
    }
    head = last.seq;
    return more || fresh.length === BATCH;
  }

  function schedule(delayMs: number) {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      running = running
        .then(tick)
        .then(
          (more) => more,
          (error: unknown) => {
            report(error);
            return false;
          },
        )
        .then((more) => {
          if (subscribers.size > 0 && !timer) schedule(more ? 0 : everyMs);
        });
    }, delayMs);
    timer.unref();
  }

  /**
   * Entries after `after` (the newest seq the page has; null: from now on) that the subscriber's
   * filter selects, as they are appended; answers how to leave.
   */
  async function subscribe(subscriber: Subscriber, after: number | null): Promise<() => void> {
    const cursor = after ?? (await record.headSeq());
    if (closed) {
      subscriber.end();
      return () => {};
    }
    subscribers.set(subscriber, { cursor });
    schedule(0);
    return () => {
      subscribers.delete(subscriber);
    };
  }

  /** Stops reading and ends every subscriber, once the read under way has finished. */
  async function close() {
    closed = true;
    if (timer) clearTimeout(timer);
    await running;
    for (const subscriber of subscribers.keys()) subscriber.end();
    subscribers.clear();
  }

  return { subscribe, close };
}
