// Reads that many callers need at once, each wanting a value at least as new as its own call, as
// a version checked on every request: a caller shares a read only if that read starts after it
// called, so what was committed before the call is always seen. A read of a key starts once the
// requests that arrived together have all asked (setImmediate: after the event loop's I/O
// callbacks), and every caller until then shares it: one read per turn of the event loop however
// many callers there are, each waiting one round trip to the database.

export function freshReads<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const gathering = new Map<string, Promise<T>>();
  return (key) => {
    let next = gathering.get(key);
    if (!next) {
      next = new Promise<T>((resolve, reject) =>
        setImmediate(() => {
          gathering.delete(key);
          read(key).then(resolve, reject);
        }),
      );
      gathering.set(key, next);
    }
    return next;
  };
}
