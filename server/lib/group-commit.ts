// Group commit: callers who want to write while a write is running wait for it to end and then go
// together in the next one. Under a rush, n callers cost a handful of transactions instead of n
// (each of which would wait for the audit log's append lock and its own commit), yet each caller
// still gets its own result or its own error, only once its write has committed.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Writes a batch in one transaction; answers one outcome per item, in the items' order. */
export type CommitBatch<I, O> = (items: readonly I[]) => Promise<Settled<O>[]>;

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export function createGroupCommit<I, O>(commit: CommitBatch<I, O>, maxBatch: number): (item: I) => Promise<O> {
  const queue: Waiting<I, O>[] = [];
  let draining = false;

  async function settle(batch: Waiting<I, O>[]) {
    let outcomes: Settled<O>[];
    try {
      outcomes = await commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // a batch that failed as a whole is retried item by item, so that one bad item fails alone
      for (const waiting of batch) await settle([waiting]);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const waiting = batch[index]!;
      if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    });
  }

  async function drain() {
    draining = true;
    while (queue.length > 0) await settle(queue.splice(0, maxBatch));
    draining = false;
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!draining) void drain();
    });
}
