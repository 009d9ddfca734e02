import pino from 'pino';
import { batchedStdout } from '../../server/lib/request-log.ts';

// A process logging through the server's batched standard output (test/unit/request-log.test.ts):
// `idle` logs one line and waits, `exit` logs one line and exits at once, `throw` logs one line and
// dies of an uncaught exception.

const log = pino(batchedStdout());
const mode = process.argv[2];
log.info({ mode }, 'one line');
if (mode === 'idle') setTimeout(() => {}, 3000);
if (mode === 'exit') process.exit(0);
if (mode === 'throw') throw new Error('crash');
