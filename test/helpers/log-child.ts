import pino from 'pino';
import { batchedStdout } from '../../server/lib/request-log.ts';

// A process logging through the server's batched standard output (test/unit/request-log.test.ts):
// `idle` logs one line and waits, `exit` logs one line and exits at once, `throw` logs one line and
// dies of an uncaught exception, `flood` logs lines for a second into a pipe nobody reads and
// writes to stderr the longest its event loop was held.

const log = pino(batchedStdout());
const mode = process.argv[2];
log.info({ mode }, 'one line');
if (mode === 'idle') setTimeout(() => {}, 3000);
if (mode === 'exit') process.exit(0);
if (mode === 'throw') throw new Error('crash');
if (mode === 'flood') {
  let last = performance.now();
  let longest = 0;
  const started = last;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    for (let i = 0; i < 200; i++) log.info({ i, padding: 'x'.repeat(200) }, 'request completed');
    if (now - started > 1000) {
      clearInterval(tick);
      process.stderr.write(`longest ${Math.round(longest)}\n`, () => process.exit(0));
    }
  }, 5);
}
