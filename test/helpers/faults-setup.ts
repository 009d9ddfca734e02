import type { TestProject } from 'vitest/node';
import { buildServer } from '../../scripts/build.ts';
import { canRunPostgres, startCluster } from './postgres-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the fault tests' throwaway PostgreSQL cluster (postgres-cluster.ts), 0 when none can run here */
    faultsPostgresPort: number;
  }
}

// The fault tests (vitest.faults.config.ts) run the server as `npm start` does, from its bundle,
// on embedded PGlite and on a throwaway PostgreSQL cluster of their own, never one in use.
export default async function setup(project: TestProject) {
  await buildServer();
  if (!canRunPostgres) {
    console.warn('[faults] no PostgreSQL binaries under /usr/lib/postgresql/15/bin or not root: the PostgreSQL fault tests are skipped');
    project.provide('faultsPostgresPort', 0);
    return;
  }
  const cluster = await startCluster();
  project.provide('faultsPostgresPort', cluster.port);
  return () => cluster.destroy();
}
