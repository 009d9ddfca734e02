// Reads that many callers need at once, each wanting a value at least as new as its own call, as
// a version checked on every request: a caller shares a read only if that read started after it
// called, so what was committed before the call is always seen. While a read of a key is under
// way, every caller that comes waits for the next one, which starts when it ends: one read per
// round trip to the database however many callers there are, at most two round trips' wait.

interface Reads<T> {
  running: Promise<T> | null;
  next: Promise<T> | null;
}

export function freshReads<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const byKey = new Map<string, Reads<T>>();

  function start(key: string, reads: Reads<T>): Promise<T> {
    const started = read(key);
    reads.running = started;
    const settle = () => {
      if (reads.running === started) reads.running = null;
      if (!reads.running && !reads.next) byKey.delete(key);
    };
    started.then(settle, settle);
    return started;
  }

  return (key) => {
    let reads = byKey.get(key);
    if (!reads) {
      reads = { running: null, next: null };
      byKey.set(key, reads);
    }
    if (!reads.running) return start(key, reads);
    const waiting = reads;
    waiting.next ??= waiting.running!.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      waiting.next = null;
      return start(key, waiting);
    });
    return waiting.next;
  };
}
