// Every Flink route sluice serves, checked against Flink's response schemas (flink-spec.ts), with and
// without Flink's /v1 prefix; then what the answers mean: chained vertices, per-subtask figures that agree
// with the vertex's, watermarks that follow the data, 4xx for unknown ids and log files outside the list.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tables.js';
import { compileFixture, TestCluster } from '../cluster/helpers.js';
import { flinkShapeErrors, routesInSpec } from './flink-spec.js';

let cluster: TestCluster;
let jarId: string;
let jobId: string;
let vertices: { id: string; name: string; parallelism: number }[];
let tmId: string;

beforeAll(async () => {
  const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '1000000', '--output', path.join(tempDir(), 'out')]);
  cluster = await TestCluster.start();
  const form = new FormData();
  form.append('jarfile', new Blob([fs.readFileSync(bundle)]), 'windowed-sums.mjs');
  const up = (await (await fetch(`${cluster.url}/v1/jars/upload`, { method: 'POST', body: form })).json()) as { filename: string };
  jarId = path.basename(up.filename);
  const run = await cluster.rest('POST', `/jars/${jarId}/run`, {
    programArgsList: ['--set', 'numbers.rows-per-second=2000'], flinkConfiguration: { 'execution.checkpointing.interval': '300 ms' },
  });
  jobId = run.json.jobid;
  await cluster.waitForState(jobId, 'RUNNING');
  await cluster.waitFor('a completed checkpoint and records', async () => {
    const cp = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json;
    const job = await cluster.job(jobId);
    return cp.counts.completed >= 1 && job.vertices[0].metrics['write-records'] > 0;
  });
  vertices = (await cluster.job(jobId)).vertices;
  tmId = (await cluster.rest('GET', '/taskmanagers')).json.taskmanagers[0].id;
});

afterAll(() => {
  cluster?.stop();
});

/** Prometheus' text format, parsed: one entry per sample line. */
function prometheus(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
    if (!m) throw new Error(`not a sample line: ${l}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    return { name: m[1], labels, value: Number(m[3]) };
  });
}

/** The concrete path of a route pattern for this job. */
function concrete(route: string, cid: number): string {
  return route
    .replace('{jobid}', jobId).replace('{vertexid}', vertices[0].id).replace('{taskmanagerid}', tmId)
    .replace('{jarid}', jarId).replace('{checkpointid}', String(cid));
}

describe('Flink route shapes', () => {
  it('every GET route of the fixture answers 200 in Flink\'s shape, under / and /v1/', async () => {
    const cid = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json.latest.completed.id;
    const skip = new Set(['/jars/upload', '/jars/{jarid}/run', '/jobs/{jobid}/savepoints', '/jobs/{jobid}/savepoints/{triggerid}', '/jars/{jarid}/plan']);
    const errors: string[] = [];
    for (const route of routesInSpec().filter((r) => !skip.has(r))) {
      for (const prefix of ['', '/v1']) {
        // ?get= asks for values, so value shapes are checked too (a bare id list is checked once more below).
        const metric = /metrics$/.test(route) ? '?get=numRecordsIn,numRecordsOut,busyTimeMsPerSecond,uptime,Status.JVM.Memory.Heap.Used,numRegisteredTaskManagers' : '';
        const r = await cluster.rest('GET', prefix + concrete(route, cid) + metric);
        if (r.status !== 200) errors.push(`${prefix}${route}: ${r.status} ${r.text.slice(0, 200)}`);
        else errors.push(...flinkShapeErrors(route, r.json));
      }
    }
    expect(errors).toEqual([]);
  });

  it('POST /jars/:jarid/plan gives the job graph the running job has', async () => {
    const r = await cluster.rest('POST', `/v1/jars/${jarId}/plan`, { parallelism: 1 });
    expect(r.status).toBe(200);
    expect(flinkShapeErrors('/jars/{jarid}/plan', r.json)).toEqual([]);
    const running = (await cluster.rest('GET', `/jobs/${jobId}/plan`)).json.plan;
    expect(r.json.plan.nodes).toEqual(running.nodes);
    expect((await cluster.rest('POST', `/jars/${jarId}/plan`, { parallelism: 0 })).status).toBe(400);
    expect((await cluster.rest('POST', `/jars/${'0'.repeat(36)}_x.mjs/plan`, {})).status).toBe(404);
  });

  it('/overview reports Flink\'s version and sluice\'s', async () => {
    const o = (await cluster.rest('GET', '/v1/overview')).json;
    expect(o['flink-version']).toBe('2.3.0');
    expect(o['sluice-version']).toMatch(/^\d+\.\d+\.\d+/);
    expect((await cluster.rest('GET', '/v1/config')).json['flink-version']).toBe('2.3.0');
  });
});

describe('what the answers mean', () => {
  it('fused operators form chained vertices, cut where records are exchanged by key', async () => {
    expect(vertices.map((v) => v.name)).toEqual([
      'Source: numbers -> Calc(k, id, ts) -> Calc(k, ts, id, $a1)',
      'WindowAggregate(tumble, groupBy=[k]) -> Calc(k, window_start, total, cnt) -> Sink: sums',
    ]);
    expect(vertices.every((v) => v.parallelism === 1)).toBe(true);
    const plan = (await cluster.rest('GET', `/jobs/${jobId}/plan`)).json.plan;
    expect(plan.nodes[1].inputs).toEqual([{ num: 0, id: vertices[0].id, ship_strategy: 'HASH', exchange: 'pipelined_bounded' }]);
    const overview = (await cluster.rest('GET', '/jobs/overview')).json.jobs[0];
    expect(overview.tasks).toMatchObject({ total: 2, running: 2 });
  });

  it('a vertex\'s subtasks add up to the vertex; metric routes agree with each other', async () => {
    const [src] = vertices;
    const details = (await cluster.rest('GET', `/jobs/${jobId}/vertices/${src.id}`)).json;
    expect(details.subtasks).toHaveLength(src.parallelism);
    expect(details.subtasks[0]).toMatchObject({ subtask: 0, status: 'RUNNING', 'taskmanager-id': tmId });
    // Records only grow: a later vertex metric is at least the earlier subtask figure.
    const fromSubtask = details.subtasks[0].metrics['write-records'];
    const agg = (await cluster.rest('GET', `/jobs/${jobId}/vertices/${src.id}/subtasks/metrics?get=numRecordsOut&agg=sum,max`)).json;
    expect(agg).toHaveLength(1);
    expect(agg[0].id).toBe('numRecordsOut');
    expect(agg[0].sum).toBeGreaterThanOrEqual(fromSubtask);
    expect(agg[0].max).toBe(agg[0].sum);
    expect(Object.keys(agg[0]).sort()).toEqual(['id', 'max', 'sum']);
    const perSubtask = (await cluster.rest('GET', `/jobs/${jobId}/vertices/${src.id}/metrics?get=0.numRecordsOut,0.Source__numbers.numRecordsOut`)).json;
    expect(perSubtask.map((m: { id: string }) => m.id)).toEqual(['0.numRecordsOut', '0.Source__numbers.numRecordsOut']);
    expect(Number(perSubtask[0].value)).toBeGreaterThanOrEqual(agg[0].sum);
    expect((await cluster.rest('GET', `/jobs/${jobId}/vertices/${src.id}/subtasks/metrics?get=numRecordsOut&agg=median`)).status).toBe(400);
    expect((await cluster.rest('GET', `/jobs/${jobId}/vertices/${src.id}/subtasks/metrics?get=numRecordsOut&subtasks=1-3`)).json).toEqual([]);
  });

  it('watermarks follow event time: the window vertex\'s input watermark is the last emitted id\'s time', async () => {
    const agg = vertices[1];
    const w = await cluster.waitFor('a watermark', async () => {
      const r = (await cluster.rest('GET', `/jobs/${jobId}/vertices/${agg.id}/watermarks`)).json;
      return r[0].value !== '-9223372036854775808' && r;
    });
    expect(w).toEqual([{ id: '0.currentInputWatermark', value: expect.stringMatching(/^\d+$/) }]);
    // ts = id seconds and ids count up from 1 at the source: the watermark is a whole second no later than
    // the number of records the source emitted (× 1000 ms).
    const emitted = Number((await cluster.rest('GET', `/jobs/${jobId}/vertices/${vertices[0].id}/metrics?get=0.numRecordsOut`)).json[0].value);
    expect(Number(w[0].value) % 1000).toBe(0);
    expect(Number(w[0].value)).toBeGreaterThan(0);
    expect(Number(w[0].value)).toBeLessThanOrEqual(emitted * 1000);
  });

  it('status, checkpoint details and config, job config, execution result', async () => {
    expect((await cluster.rest('GET', `/jobs/${jobId}/status`)).json).toEqual({ status: 'RUNNING' });
    const cp = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json;
    const one = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints/details/${cp.history[0].id}`)).json;
    expect(one).toEqual(cp.history[0]);
    expect((await cluster.rest('GET', `/jobs/${jobId}/checkpoints/details/999999`)).status).toBe(404);
    expect((await cluster.rest('GET', `/jobs/${jobId}/checkpoints/details/first`)).status).toBe(400);
    expect((await cluster.rest('GET', `/jobs/${jobId}/checkpoints/config`)).json).toMatchObject({ mode: 'EXACTLY_ONCE', interval: 300 });
    const cfg = (await cluster.rest('GET', `/jobs/${jobId}/config`)).json;
    expect(cfg).toMatchObject({ jid: jobId, name: 'Windowed Sums', 'execution-config': { 'job-parallelism': 1 } });
    expect((await cluster.rest('GET', `/jobs/${jobId}/execution-result`)).json).toEqual({ status: { id: 'IN_PROGRESS' } });
  });

  it('processes: metrics, logs (listed files only), environment; unknown ids are 404', async () => {
    const heap = await cluster.waitFor('taskmanager process figures', async () => {
      const r = (await cluster.rest('GET', `/taskmanagers/${tmId}/metrics?get=Status.JVM.Memory.Heap.Used,Status.Node.EventLoop.Delay.Max`)).json;
      return r.length === 2 && r;
    });
    expect(Number(heap[0].value)).toBeGreaterThan(1_000_000);
    const details = (await cluster.rest('GET', `/taskmanagers/${tmId}`)).json;
    expect(details.metrics.heapUsed).toBeGreaterThan(1_000_000);
    expect(details.allocatedSlots).toEqual([{ jobId, resource: expect.any(Object) }]);
    const jmm = (await cluster.rest('GET', '/jobmanager/metrics?get=numRegisteredTaskManagers,numRunningJobs')).json;
    expect(jmm).toEqual([{ id: 'numRegisteredTaskManagers', value: '1' }, { id: 'numRunningJobs', value: '1' }]);
    // One taskmanager with Flink's default of 2 slots (taskmanager.numberOfTaskSlots).
    const sum = (await cluster.rest('GET', '/taskmanagers/metrics?get=Status.Slots.Total&agg=sum')).json;
    expect(sum).toEqual([{ id: 'Status.Slots.Total', sum: 2 }]);
    const logs = (await cluster.rest('GET', '/jobmanager/logs')).json.logs.map((l: { name: string }) => l.name);
    expect(logs).toContain('jobmanager.log');
    const text = await cluster.rest('GET', '/jobmanager/logs/jobmanager.log');
    expect(text.text).toMatch(/Received JobGraph submission 'Windowed Sums'/);
    expect((await cluster.rest('GET', '/jobmanager/logs/..%2Fconfig.yaml')).status).toBe(404);
    expect((await cluster.rest('GET', `/taskmanagers/${tmId}/logs`)).json.logs.map((l: { name: string }) => l.name)).toContain('taskmanager-1.log');
    expect((await cluster.rest('GET', `/taskmanagers/${tmId}/log`)).text).toMatch(/\S/);
    expect((await cluster.rest('GET', '/taskmanagers/nope')).status).toBe(404);
    expect((await cluster.rest('GET', `/jobs/${jobId}/vertices/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await cluster.rest('GET', '/jobs/metrics?jobs=xyz')).status).toBe(400);
    expect((await cluster.rest('GET', '/jobmanager/environment')).json.jvm.version).toMatch(/^Node\.js v\d+/);
  });

  it('GET /metrics: Flink reporter names and labels per job, task, operator and process; prom-client defaults', async () => {
    const res = await fetch(`${cluster.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = prometheus(await res.text());
    const one = (name: string, labels: Record<string, string> = {}) => {
      const found = samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
      expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
      return found[0];
    };
    expect(one('flink_jobmanager_numRegisteredTaskManagers').value).toBe(1);
    expect(one('flink_jobmanager_numRunningJobs').value).toBe(1);
    expect(one('flink_jobmanager_job_numberOfCompletedCheckpoints', { job_id: jobId, job_name: 'Windowed Sums' }).value).toBeGreaterThan(0);
    const task = one('flink_taskmanager_job_task_numRecordsOut', { job_id: jobId, task_id: vertices[0].id, subtask_index: '0', tm_id: tmId });
    expect(task.labels.task_name).toBe(vertices[0].name);
    expect(task.value).toBeGreaterThan(0);
    const src = one('flink_taskmanager_job_task_operator_numRecordsOut', { job_id: jobId, operator_name: 'Source: numbers' });
    expect(src.value).toBe(task.value);
    const wm = one('flink_taskmanager_job_task_operator_currentInputWatermark', { job_id: jobId, operator_name: 'WindowAggregate(tumble, groupBy=[k])' });
    expect(wm.value % 1000).toBe(0);
    expect(one('flink_taskmanager_Status_JVM_Memory_Heap_Used', { tm_id: tmId }).value).toBeGreaterThan(1_000_000);
    expect(one('flink_taskmanager_Status_Node_EventLoop_Delay_Max', { tm_id: tmId }).value).toBeGreaterThanOrEqual(0);
    expect(one('flink_jobmanager_Status_JVM_Memory_Heap_Used').value).toBeGreaterThan(1_000_000);
    expect(one('process_cpu_seconds_total').value).toBeGreaterThan(0);
    expect(samples.some((x) => x.name.startsWith('nodejs_eventloop_lag'))).toBe(true);
  });

  it('after cancel: execution result CANCELED, checkpoints/config of a job without checkpoints is 404', async () => {
    expect((await cluster.rest('PATCH', `/v1/jobs/${jobId}?mode=cancel`)).status).toBe(202);
    await cluster.waitForState(jobId, 'CANCELED');
    const r = (await cluster.rest('GET', `/jobs/${jobId}/execution-result`)).json;
    expect(flinkShapeErrors('/jobs/{jobid}/execution-result', r)).toEqual([]);
    expect(r['job-execution-result']).toMatchObject({ id: jobId, 'application-status': 'CANCELED' });
    // A terminated job exports nothing any more.
    const after = prometheus(await (await fetch(`${cluster.url}/metrics`)).text());
    expect(after.filter((x) => x.labels.job_id === jobId)).toEqual([]);
    expect(after.find((x) => x.name === 'flink_jobmanager_numRunningJobs')?.value).toBe(0);
    const plain = await cluster.rest('POST', `/jars/${jarId}/run`, { programArgsList: ['--set', 'numbers.rows-per-second=10'] });
    await cluster.waitForState(plain.json.jobid, 'RUNNING');
    expect((await cluster.rest('GET', `/jobs/${plain.json.jobid}/checkpoints/config`)).status).toBe(404);
    expect((await cluster.rest('PATCH', `/jobs/${plain.json.jobid}?mode=cancel`)).status).toBe(202);
  });
});
