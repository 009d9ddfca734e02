import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, killAllServers, startServer, type ServerProcess } from '../helpers/server-process.ts';

// A connection that never finishes its headers is closed after HTTP_HEADERS_TIMEOUT_S; one that
// stops sending is closed after HTTP_IDLE_TIMEOUT_S; a slow request that keeps sending is never
// cut, however long it takes (a 50 MB bid on a slow line). Short timeouts here, same code paths.

const storage = mkdtempSync(path.join(tmpdir(), 'portal-timeouts-'));
let server: ServerProcess;
let port: number;

beforeAll(async () => {
  server = await startServer({ STORAGE_DIR: storage, HTTP_HEADERS_TIMEOUT_S: '2', HTTP_IDLE_TIMEOUT_S: '2' });
  port = Number(new URL(server.url).port);
}, 90_000);

afterAll(() => {
  killAllServers();
  rmSync(storage, { recursive: true, force: true });
});

/** Opens a connection, writes `first`, then `write` as it likes; resolves with what came back and when the server closed it. */
function connection(first: string, write?: (send: (text: string) => void) => Promise<void>) {
  const socket = connect(port, '127.0.0.1');
  const opened = Date.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => {});
  socket.write(first);
  const closed = new Promise<{ answer: string; afterMs: number }>((resolve) =>
    socket.on('close', () => resolve({ answer, afterMs: Date.now() - opened })),
  );
  const writing = write?.((text) => socket.write(text));
  return { closed, writing, destroy: () => socket.destroy() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('request timeouts', () => {
  it('close a connection whose headers never finish within the header timeout', async () => {
    const slow = connection('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', async (send) => {
      // a header line every half second: activity, but the headers never end
      for (let i = 0; i < 20; i++) {
        await sleep(500);
        send(`X-Slow-${i}: a\r\n`);
      }
    });
    const watchdog = setTimeout(slow.destroy, 9000);
    const { afterMs } = await slow.closed;
    clearTimeout(watchdog);
    expect(afterMs).toBeLessThan(6000);
  }, 20_000);

  it('close a connection that sends nothing after its headers within the idle timeout', async () => {
    const silent = connection(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":`,
    );
    const watchdog = setTimeout(silent.destroy, 9000);
    const { afterMs } = await silent.closed;
    clearTimeout(watchdog);
    expect(afterMs).toBeLessThan(6000);
  }, 20_000);

  it('let a slow request that keeps sending finish, long after both timeouts', async () => {
    const body = JSON.stringify({ email: ADMIN.email, password: ADMIN.password });
    const padded = body.padEnd(body.length + 12, ' ');
    const slow = connection(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(padded)}\r\nConnection: close\r\n\r\n`,
      async (send) => {
        // one byte every 400 ms for about 6 s: never idle for the idle timeout, longer than both
        const chars = [...padded];
        const head = chars.slice(0, chars.length - 15).join('');
        send(head);
        for (const char of chars.slice(chars.length - 15)) {
          await sleep(400);
          send(char);
        }
      },
    );
    await slow.writing;
    const { answer } = await slow.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
  }, 30_000);
});
