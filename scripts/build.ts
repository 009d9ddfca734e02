import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../server/paths.ts';

// `npm start` runs the portal from one bundled ES module under dist/, compiled ahead of time:
// running the TypeScript sources through a loader at run time costs the server about 100 MB of
// memory and its start-up time. Packages stay in node_modules; only the portal's code is bundled.

export const SERVER_BUNDLE = path.join(PROJECT_ROOT, 'dist', 'server.mjs');

export async function buildServer(): Promise<string> {
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'server', 'server.ts')],
    outfile: SERVER_BUNDLE,
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
