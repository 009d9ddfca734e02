import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loggableUrl } from '../../server/lib/request-log.ts';
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
