// A jobmanager in the test's own process, with the counting job's bundle uploaded: the state machine driven
// through the calls the REST routes make (no HTTP, no taskmanager process). Heartbeats every 20 ms; no
// taskmanager times out during a test.
import fs from 'node:fs';
import path from 'node:path';
import { compileJob } from '../../compiler/index.js';
import { createLogger } from '../../runtime/core/log.js';
import { registerConnector } from '../../runtime/connectors/registry.js';
import { clusterPaths } from '../../runtime/cluster/cluster-dir.js';
import { loadClusterConfig } from '../../runtime/cluster/config.js';
import { JobManager } from '../../runtime/cluster/jobmanager.js';
import { tempDir } from '../helpers/tables.js';

export async function inProcessJobManager(logName: string): Promise<{ jm: JobManager; jarId: string }> {
  registerConnector({ name: 'counting', options: { keys: {} }, roles: ['source'], sinkAccepts: 'insert-only', load: async () => ({}) });
  const bundle = path.join(tempDir(), 'counting.mjs');
  await compileJob('test/cluster/fixtures/counting-job.ts', { out: bundle });
  const paths = clusterPaths(tempDir('sluice-cluster-'));
  const jm = new JobManager(paths, loadClusterConfig(paths, ['heartbeat.interval=20', 'heartbeat.timeout=60000']), createLogger(logName, 'silent'));
  await jm.open();
  const jarId = (await jm.jars.upload('counting.mjs', fs.readFileSync(bundle))).id;
  return { jm, jarId };
}
