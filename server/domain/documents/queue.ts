// Documents are produced after the transaction that makes them due has committed (a sign-off,
// the award), one recruitment at a time in this process; across processes, the claim in the
// database (claims.ts) keeps two from producing the same recruitment's at once. A failure is
// logged and the work is retried the next time the recruitment is scheduled: by the next trigger,
// or at the latest by the periodic sweep of any instance (DocumentService.startSweep).

export interface DocumentQueue {
  /** asks for the recruitment's missing documents; returns at once */
  schedule(recruitmentId: string): void;
}

export function createDocumentQueue(log: (error: unknown, recruitmentId: string) => void) {
  let worker: ((recruitmentId: string) => Promise<unknown>) | null = null;
  const waiting: string[] = [];
  let running: Promise<void> | null = null;
  let closed = false;

  function pump() {
    if (running || !worker || closed) return;
    const next = waiting.shift();
    if (next === undefined) return;
    running = worker(next)
      .then(
        () => {},
        (error: unknown) => log(error, next),
      )
      .finally(() => {
        running = null;
        pump();
      });
  }

  return {
    schedule(recruitmentId: string) {
      if (closed || waiting.includes(recruitmentId)) return;
      waiting.push(recruitmentId);
      pump();
    },
    /** sets who does the work; scheduling may begin before (services are built in order) */
    start(work: (recruitmentId: string) => Promise<unknown>) {
      worker = work;
      pump();
    },
    /** resolves once nothing is waiting or running */
    async idle() {
      while (running) await running;
    },
    /** drops what waits and lets the running job finish; the rest is issued at the next start */
    async close() {
      closed = true;
      waiting.length = 0;
      while (running) await running;
    },
  };
}
