// A loss a source accepted (scan.offset-out-of-range) reaches the job's exceptions history and its metrics:
// the source records an incident in its OperatorMetrics, the task's heartbeat report takes it out (once), and
// the jobmanager adds it to the history; the lost records are summed into numRecordsLost.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { clusterPaths } from '../../runtime/cluster/cluster-dir.js';
import { loadClusterConfig } from '../../runtime/cluster/config.js';
import { JobManager } from '../../runtime/cluster/jobmanager.js';
import type { DeployCommand } from '../../runtime/cluster/protocol.js';
import { TaskMetrics } from '../../runtime/cluster/task-metrics.js';
import { registerConnector } from '../../runtime/connectors/registry.js';
import { createLogger } from '../../runtime/core/log.js';
import { JobMetrics } from '../../runtime/core/metrics.js';
import type { JobRunner } from '../../runtime/exec/job-runner.js';
import { jobMetricValues } from '../../runtime/rest/shapes.js';
import { tempDir } from '../helpers/tables.js';

let jm: JobManager;
let jarId: string;

beforeAll(async () => {
  registerConnector({ name: 'counting', options: { keys: {} }, roles: ['source'], sinkAccepts: 'insert-only', load: async () => ({}) });
  const bundle = path.join(tempDir(), 'counting.mjs');
  await compileJob('test/cluster/fixtures/counting-job.ts', { out: bundle });
  const paths = clusterPaths(tempDir('sluice-cluster-'));
  jm = new JobManager(paths, loadClusterConfig(paths, ['heartbeat.interval=20', 'heartbeat.timeout=60000']), createLogger('jm-test', 'silent'));
  await jm.open();
  jarId = (await jm.jars.upload('counting.mjs', fs.readFileSync(bundle))).id;
});

afterAll(() => jm?.close());

describe('incidents of a running job', () => {
  it('go into the exceptions history once, and lost records into numRecordsLost', async () => {
    const tm = jm.register({ pid: 1 << 22, host: 'elsewhere', slots: 1, index: null, logFile: null }).id;
    const jobId = await jm.runJar(jarId, {});
    const [deploy] = (await jm.heartbeat(tm, [], new AbortController().signal)) as DeployCommand[];
    await jm.event(tm, { type: 'state', jobId, attempt: deploy.attempt, state: 'RUNNING' });

    const plan = jm.job(jobId).plan;
    const source = plan.nodes.find((n) => n.kind === 'source')!;
    const metrics = new JobMetrics();
    const m = metrics.operator(source.id, 'source');
    m.recordsLost = 50;
    m.incidents.push({ name: 'OffsetOutOfRange', message: "table 't': topic x partition 0: offsets 10..59 (50 records) were deleted" });
    const sampler = new TaskMetrics(plan);
    const runner = { metrics, times: new Map() } as unknown as JobRunner;
    const report = (operators: ReturnType<TaskMetrics['sample']>) => jm.heartbeat(tm, [{ jobId, attempt: deploy.attempt, state: 'RUNNING', operators }], new AbortController().signal);

    await report(sampler.sample(runner));
    await report(sampler.sample(runner));
    const history = jm.job(jobId).exceptions.filter((e) => e.exceptionName === 'OffsetOutOfRange');
    expect(history.map((e) => e.message)).toEqual(["table 't': topic x partition 0: offsets 10..59 (50 records) were deleted"]);
    expect(jobMetricValues(jm.job(jobId)).numRecordsLost).toBe(50);
  });
});
