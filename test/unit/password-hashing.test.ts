import { beforeEach, describe, expect, it, vi } from 'vitest';

// argon2 runs on libuv's thread pool, which bid uploads share: the module lets one hash run at a time.
const calls: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
vi.mock('argon2', () => {
  const pending = () => new Promise<string>((resolve, reject) => calls.push({ resolve, reject }));
  return { default: { argon2id: 2, hash: vi.fn(pending), verify: vi.fn(() => pending().then(() => true)) } };
});

const { hashPassword, verifyPassword } = await import('../../server/lib/password-hashing.ts');
const argon2 = (await import('argon2')).default;

const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  calls.length = 0;
});

describe('password hashing with a bounded concurrency of its own', () => {
  it('runs one argon2 operation at a time, however many sign-ins wait; the others queue in order', async () => {
    const results = [hashPassword('one'), verifyPassword('$argon2id$x', 'two'), hashPassword('three'), verifyPassword('$argon2id$y', 'four')];
    await settle();
    expect(calls).toHaveLength(1);
    for (let done = 1; done <= 4; done++) {
      calls[done - 1]!.resolve(`hash-${done}`);
      await settle();
      expect(calls).toHaveLength(Math.min(done + 1, 4));
    }
    expect(await Promise.all(results)).toEqual(['hash-1', true, 'hash-3', true]);
    expect(vi.mocked(argon2.hash).mock.calls.map((call) => call[0])).toEqual(['one', 'three']);
  });

  it('hashes on one lane with bounded memory', async () => {
    const hashed = hashPassword('five');
    await settle();
    expect(vi.mocked(argon2.hash).mock.calls.at(-1)?.[1]).toMatchObject({ parallelism: 1, memoryCost: 19 * 1024, timeCost: 2 });
    calls[0]!.resolve('h');
    await hashed;
  });

  it('frees its slot when an operation fails', async () => {
    const failing = verifyPassword('broken', 'x');
    const next = hashPassword('after');
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]!.reject(new Error('argon2 failed'));
    await expect(failing).rejects.toThrow('argon2 failed');
    await settle();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('ok');
    expect(await next).toBe('ok');
  });
});
