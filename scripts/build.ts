import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../server/paths.ts';

// `npm start` runs the portal from one bundled ES module under dist/, compiled ahead of time:
// running the TypeScript sources through a loader at run time costs the server about 100 MB of
// memory and its start-up time. Packages stay in node_modules; only the portal's code is bundled.
// What the server imports on first use (the PDF layer, the database driver it does not run on)
// goes into chunks of its own, so it is not loaded at start.

const DIST = path.join(PROJECT_ROOT, 'dist');
export const SERVER_BUNDLE = path.join(DIST, 'server.mjs');

export async function buildServer(): Promise<string> {
  rmSync(DIST, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'server', 'server.ts')],
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return SERVER_BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(PROJECT_ROOT, 'scripts', 'build.ts')) {
  await buildServer();
}
