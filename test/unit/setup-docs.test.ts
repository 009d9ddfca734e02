import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/paths.ts';

// Issue 15.13: what the README promises about setting up and about the demo holds.

const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};
const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { engines: { node: string } };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string; engines?: unknown }> };

describe('15.13: set-up and demo as the README tells them', () => {
  it('15.13: every locked package runs on the oldest Node that package.json and the README allow (no engine warning)', () => {
    const oldest = semver.minVersion(packageJson.engines.node)?.version;
    expect(oldest).toBe('20.19.0');
    expect(read('README.md')).toContain('Node.js ≥ 20.19 and npm');
    const refusing = Object.entries(lock.packages).flatMap(([name, entry]) => {
      const node = typeof entry.engines === 'object' && entry.engines !== null && 'node' in entry.engines ? entry.engines.node : null;
      return typeof node === 'string' && !semver.satisfies(oldest!, node) ? [`${name}@${entry.version} (node ${node})`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it('15.13: the README lists the demo’s sign-ins and their shared password', () => {
    const demo = read('scripts/demo.ts');
    const readme = read('README.md');
    const password = /const PASSWORD = '([^']+)'/.exec(demo)?.[1];
    expect(password).toBeDefined();
    expect(readme).toContain(`password is \`${password}\``);
    const staff = [...demo.matchAll(/^\s+\w+: '([a-z]+@zjzg\.example\.cn)',$/gm)].map((match) => match[1]);
    expect(staff).toHaveLength(4);
    for (const email of staff) expect(readme).toContain(`\`${email}\``);
  });
});
