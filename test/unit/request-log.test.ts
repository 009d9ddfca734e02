import { spawn } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loggableUrl, RequestLogController, requestLogSerializers } from '../../server/lib/request-log.ts';
import { PROJECT_ROOT } from '../../server/paths.ts';

function logChild(mode: 'idle' | 'exit' | 'throw' | 'flood') {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/helpers/log-child.ts'), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { output: () => output, errors: () => errors, exited, child };
}

describe('the request log', () => {
  it.each([
    ['/verify-email?token=abc123', '/verify-email?token=[redacted]'],
    ['/password-reset/confirm?token=abc&x=1', '/password-reset/confirm?token=[redacted]&x=1'],
    ['/verify?x=1&_csrf=secret', '/verify?x=1&_csrf=[redacted]'],
    ['/recruitments?q=token%3D1', '/recruitments?q=token%3D1'],
  ])('keeps no mailed secret: %s', (url, logged) => {
    expect(loggableUrl(url)).toBe(logged);
  });
});

/** a Fastify app logging to memory through the request log controller, answering 201 at /items */
async function loggingApp(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({ logger: { level, serializers: requestLogSerializers, stream }, logController: new RequestLogController() });
  app.get('/items', async (_request, reply) => reply.code(201).send({ ok: true }));
  app.get('/broken', async () => {
    throw new Error('broken');
  });
  await app.ready();
  return { app, lines };
}

describe('the request log line', () => {
  it('is what pino writes for it, one per request answered, and keeps no mailed secret', async () => {
    const { app, lines } = await loggingApp();
    await app.inject({ url: '/items?token=secret-value', headers: { host: 'portal.example' } });
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(Object.keys(line!)).toEqual(['level', 'time', 'pid', 'hostname', 'reqId', 'req', 'res', 'responseTime', 'msg']);
    expect(line).toMatchObject({
      level: 30,
      pid: process.pid,
      reqId: 'req-1',
      req: { method: 'GET', url: '/items?token=[redacted]', host: 'portal.example', remoteAddress: '127.0.0.1' },
      res: { statusCode: 201 },
      msg: 'request completed',
    });
    expect(Math.abs((line!.time as number) - Date.now())).toBeLessThan(5000);
    expect(line!.responseTime).toBeGreaterThan(0);
    // pino's own line for the same, as every other line of the log is written
    app.log.child({ reqId: 'req-1' }).info({ req: { method: 'GET', url: '/items?token=[redacted]', host: 'portal.example', ip: '127.0.0.1' } }, 'x');
    expect(Object.keys(lines[1]!).slice(0, 5)).toEqual(Object.keys(line!).slice(0, 5));
    await app.close();
  });

  it('is not written below its level; a failed request gets its status and, from pino, the error', async () => {
    const quiet = await loggingApp('warn');
    await quiet.app.inject({ url: '/items' });
    expect(quiet.lines).toEqual([]);
    const { app, lines } = await loggingApp();
    await app.inject({ url: '/broken' });
    expect(lines.map((line) => [line.msg, (line.res as { statusCode: number }).statusCode])).toEqual([
      ['broken', 500],
      ['request completed', 500],
    ]);
    expect(lines[0]!.err).toMatchObject({ message: 'broken' });
    await Promise.all([quiet.app.close(), app.close()]);
  });
});

describe('the log written in batches', () => {
  it('writes a lone line within a second or so, while the process runs on', async () => {
    const child = logChild('idle');
    try {
      await expect.poll(child.output, { timeout: 2500, interval: 100 }).toContain('"mode":"idle"');
    } finally {
      child.child.kill('SIGKILL');
    }
  });

  it.each(['exit', 'throw'] as const)('writes the batch in hand when the process ends (%s)', async (mode) => {
    const child = logChild(mode);
    await child.exited;
    expect(child.output()).toContain(`"mode":"${mode}"`);
  });

  it('never holds the event loop when the pipe is full: its reader lags, the server goes on', async () => {
    const child = logChild('flood');
    // nobody reads the pipe for the whole second: it fills after some 64 KB
    child.child.stdout.pause();
    await expect.poll(child.errors, { timeout: 10_000, interval: 100 }).toMatch(/longest \d+/);
    // then it is read, and the process writes what it holds as it exits
    child.child.stdout.resume();
    await child.exited;
    const longest = Number(/longest (\d+)/.exec(child.errors())?.[1]);
    // a synchronous write would wait 100 ms at each full pipe (sonic-boom's retry)
    expect(longest).toBeLessThan(60);
  });
});
