import argon2 from 'argon2';

// Password hashing (argon2id) with a bounded concurrency of its own. argon2 runs on libuv's thread
// pool, which bid uploads share for their file writes and fsyncs: unbounded, sixty sign-ins with
// unknown e-mails held every pool thread and a one-file bid waited 40 s. Here at most
// HASHING_CONCURRENCY hashes run at once, each on one lane (parallelism 1), and the rest wait in
// line, so the pool always keeps threads for the uploads. Parameters: OWASP's argon2id minimum
// (19 MiB, 2 passes, 1 lane); hashes made with other parameters still verify, by their own.

const HASHING_CONCURRENCY = 1;
const OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

let running = 0;
const waiting: (() => void)[] = [];

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASHING_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    // the slot passes straight to the next in line, so `running` never drops and rises between them
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string | Buffer): Promise<string> {
  return bounded(() => argon2.hash(password, OPTIONS));
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return bounded(() => argon2.verify(hash, password));
}
