import argon2 from 'argon2';
import { createLane } from './lane.ts';

// Password hashing (argon2id) with a bounded concurrency of its own. argon2 runs on libuv's thread
// pool, which bid uploads share for their file writes and fsyncs: unbounded, sixty sign-ins with
// unknown e-mails held every pool thread and a one-file bid waited 40 s. Here at most
// HASHING_CONCURRENCY hashes run at once, each on one lane (parallelism 1), and the rest wait in
// line, so the pool always keeps threads for the uploads. Parameters: OWASP's argon2id minimum
// (19 MiB, 2 passes, 1 lane); hashes made with other parameters still verify, by their own.

const HASHING_CONCURRENCY = 1;
const OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

const bounded = createLane(HASHING_CONCURRENCY);

export function hashPassword(password: string | Buffer): Promise<string> {
  return bounded(() => argon2.hash(password, OPTIONS));
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return bounded(() => argon2.verify(hash, password));
}
