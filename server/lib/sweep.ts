// A sweep on the clock: work a crash or a deadline may leave undone, done again every so often
// (missing documents, lapsed awards, outstanding final reviews). It never keeps the process alive.

/** Runs `work` every `everyMs`, passing its failures to `report`; answers how to stop. */
export function startSweep(everyMs: number, work: () => Promise<unknown>, report: (error: unknown) => void): () => void {
  const timer = setInterval(() => work().catch(report), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
