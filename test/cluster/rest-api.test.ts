// The REST API of a real jobmanager: Flink's paths and JSON shapes, and 4xx answers for invalid ids,
// bodies and job states (5xx is for sluice's own bugs only). One cluster for the file, on a port the OS picks.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tables.js';
import { compileFixture, TestCluster } from './helpers.js';
import { expectedSums } from './expected.js';

let cluster: TestCluster;
let bundle: string;
let out: string;

beforeAll(async () => {
  out = path.join(tempDir(), 'out');
  bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '100000', '--output', out]);
  cluster = await TestCluster.start();
});

afterAll(() => {
  cluster?.stop();
});

async function upload(file: string, name = path.basename(file)) {
  const form = new FormData();
  form.append('jarfile', new Blob([fs.readFileSync(file)]), name);
  const res = await fetch(`${cluster.url}/jars/upload`, { method: 'POST', body: form });
  return { status: res.status, json: (await res.json()) as any };
}

describe('cluster and jar routes', () => {
  it('GET /overview, /config, /taskmanagers, /jobmanager/config', async () => {
    const o = await cluster.rest('GET', '/overview');
    expect(o.status).toBe(200);
    // The default taskmanager has the playground's 2 slots (taskmanager.numberOfTaskSlots).
    expect(o.json).toMatchObject({ taskmanagers: 1, 'slots-total': 2, 'slots-available': 2, 'jobs-running': 0 });
    const c = await cluster.rest('GET', '/config');
    expect(c.json).toHaveProperty('refresh-interval');
    expect(c.json).toHaveProperty('timezone-name');
    const t = await cluster.rest('GET', '/taskmanagers');
    expect(t.json.taskmanagers).toHaveLength(1);
    expect(t.json.taskmanagers[0]).toMatchObject({ slotsNumber: 2, freeSlots: 2 });
    expect(t.json.taskmanagers[0].id).toMatch(/^taskmanager-1-/);
    const jc = await cluster.rest('GET', '/jobmanager/config');
    expect(jc.json).toContainEqual({ key: 'state.checkpoints.num-retained', value: '3' });
  });

  it('uploads a bundle, lists it, rejects files that are not bundles, deletes it', async () => {
    const bad = path.join(tempDir(), 'hello.mjs');
    fs.writeFileSync(bad, 'export const x = 1;\n');
    const r = await upload(bad);
    expect(r.status).toBe(400);
    expect(r.json.errors[0]).toMatch(/'hello.mjs' is not a sluice bundle: it exports no job/);
    const notForm = await cluster.rest('POST', '/jars/upload', {});
    expect(notForm.status).toBe(400);

    const ok = await upload(bundle);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'success' });
    const jarId = path.basename(ok.json.filename);
    expect(jarId).toMatch(/^[0-9a-f-]{36}_windowed-sums\.mjs$/);
    const list = await cluster.rest('GET', '/jars');
    expect(list.json.files).toContainEqual(expect.objectContaining({ id: jarId, name: 'windowed-sums.mjs', entry: [expect.objectContaining({ name: 'Windowed Sums' })] }));
    expect((await cluster.rest('DELETE', `/jars/${jarId}`)).status).toBe(200);
    expect((await cluster.rest('DELETE', `/jars/${jarId}`)).status).toBe(404);
    expect((await cluster.rest('POST', `/jars/${jarId}/run`, {})).status).toBe(404);
    expect((await cluster.rest('POST', '/jars/..%2Fetc/run', {})).status).toBe(400);
  });

  it('POST /jars/:jarid/run checks bodies, overrides, parallelism and savepoints before a job exists', async () => {
    const jarId = path.basename((await upload(bundle)).json.filename);
    const run = (body: unknown) => cluster.rest('POST', `/jars/${jarId}/run`, body);
    const cases: [unknown, RegExp][] = [
      [{ parallelism: 'two' }, /field 'parallelism'/],
      [{ whatever: true }, /Unrecognized key/],
      [{ parallelism: 200 }, /parallelism 200 is above pipeline.max-parallelism 128/],
      [{ programArgsList: ['--set', 'nope.path=x'] }, /the job has no table 'nope'/],
      [{ programArgs: '--set numbers.rows-per-second=fast' }, /invalid value 'fast' for option 'rows-per-second'/],
      [{ flinkConfiguration: { 'restart-strategy.type': 'sometimes' } }, /unknown strategy 'sometimes'/],
      [{ savepointPath: path.join(tempDir(), 'missing') }, /^'[^']*missing' is not a readable savepoint$/],
    ];
    for (const [body, error] of cases) {
      const r = await run(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.errors[0]).toMatch(error);
    }
    expect((await cluster.rest('GET', '/jobs')).json).toEqual({ jobs: [] });
  });
});

describe('job routes', () => {
  let jobId: string;

  beforeAll(async () => {
    const jarId = path.basename((await upload(bundle)).json.filename);
    const r = await cluster.rest('POST', `/jars/${jarId}/run`, {
      programArgsList: ['--set', 'numbers.rows-per-second=2000'], flinkConfiguration: { 'execution.checkpointing.interval': '300 ms' },
    });
    expect(r.status).toBe(200);
    jobId = r.json.jobid;
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    await cluster.waitForState(jobId, 'RUNNING');
  });

  it('GET /jobs, /jobs/overview and /jobs/:jobid in Flink shapes', async () => {
    expect((await cluster.rest('GET', '/jobs')).json).toEqual({ jobs: [{ id: jobId, status: 'RUNNING' }] });
    const overview = (await cluster.rest('GET', '/jobs/overview')).json.jobs[0];
    expect(overview).toMatchObject({ jid: jobId, name: 'Windowed Sums', state: 'RUNNING', 'end-time': -1 });
    expect(overview.tasks).toMatchObject({ running: 2, total: 2 });
    const job = await cluster.job(jobId);
    expect(job).toMatchObject({ jid: jobId, name: 'Windowed Sums', state: 'RUNNING', isStoppable: false });
    expect(job.timestamps.RUNNING).toBeGreaterThan(0);
    expect(job.vertices.map((v: any) => v.name)).toEqual([
      'Source: numbers -> Calc(k, id, ts) -> Calc(k, ts, id, $a1)', 'WindowAggregate(tumble, groupBy=[k]) -> Calc(k, window_start, total, cnt) -> Sink: sums',
    ]);
    expect(job.plan.nodes[1].inputs[0]).toMatchObject({ num: 0, id: job.vertices[0].id, ship_strategy: 'HASH' });
    const read = await cluster.waitFor('records read', async () => {
      const v = (await cluster.job(jobId)).vertices[0];
      return v.metrics['write-records'] > 0 && v;
    });
    expect(read.status).toBe('RUNNING');
  });

  it('GET /jobs/:jobid/checkpoints, /metrics, /exceptions, backpressure, and the Prometheus text', async () => {
    const cp = await cluster.waitFor('two checkpoints', async () => {
      const r = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json;
      return r.counts.completed >= 2 && r;
    });
    expect(cp.latest.completed).toMatchObject({ status: 'COMPLETED', is_savepoint: false, num_acknowledged_subtasks: 1 });
    expect(cp.latest.completed.checkpointed_size).toBeGreaterThan(0);
    expect(cp.latest.completed.end_to_end_duration).toBeGreaterThanOrEqual(0);
    expect(cp.latest.completed.external_path).toMatch(new RegExp(`checkpoints/${jobId}/chk-\\d+$`));
    expect(cp.history[0].id).toBe(cp.latest.completed.id);
    expect(cp.summary.end_to_end_duration.max).toBeGreaterThanOrEqual(cp.summary.end_to_end_duration.min);
    // Retention: exactly state.checkpoints.num-retained (3) completed checkpoints on disk (one being written may be there too).
    await cluster.waitFor('five checkpoints', async () => (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json.counts.completed >= 5);
    const jobDir = path.join(cluster.dir, 'checkpoints', jobId);
    const completed = fs.readdirSync(jobDir).filter((f) => /^chk-\d+$/.test(f) && fs.existsSync(path.join(jobDir, f, '_metadata')));
    expect(completed.length).toBe(3);

    const ids = (await cluster.rest('GET', `/jobs/${jobId}/metrics`)).json.map((m: any) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['uptime', 'numRestarts', 'numberOfCompletedCheckpoints', 'lastCheckpointDuration']));
    const values = (await cluster.rest('GET', `/jobs/${jobId}/metrics?get=numRestarts,numRecordsIn`)).json;
    expect(values[0]).toEqual({ id: 'numRestarts', value: '0' });
    expect(Number(values[1].value)).toBeGreaterThan(0);

    expect((await cluster.rest('GET', `/jobs/${jobId}/exceptions`)).json).toMatchObject({ 'root-exception': null, exceptionHistory: { entries: [], truncated: false } });

    const source = (await cluster.job(jobId)).vertices[0].id;
    const bp = await cluster.waitFor('backpressure figures', async () => {
      const r = (await cluster.rest('GET', `/jobs/${jobId}/vertices/${source}/backpressure`)).json;
      return r.status === 'ok' && r;
    });
    expect(bp['backpressure-level']).toMatch(/^(ok|low|high)$/);
    expect(bp.subtasks[0]).toMatchObject({ subtask: 0, 'attempt-number': 0 });
    expect(bp.subtasks[0].idleRatio + bp.subtasks[0].busyRatio + bp.subtasks[0].ratio).toBeLessThanOrEqual(1.05);
    // The datagen source sleeps most of each second at 2000 rows/s: idle, not backpressured.
    expect(bp['backpressure-level']).toBe('ok');
    expect((await cluster.rest('GET', `/jobs/${jobId}/vertices/0123/backpressure`)).status).toBe(404);

    const prom = await fetch(`${cluster.url}/metrics`);
    expect(prom.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await prom.text();
    expect(text).toMatch(/^# TYPE flink_jobmanager_numRegisteredTaskManagers gauge$/m);
    expect(text).toMatch(new RegExp(`^flink_jobmanager_job_numberOfCompletedCheckpoints\\{job_id="${jobId}",job_name="Windowed Sums"\\} \\d+$`, 'm'));
    expect(text).toMatch(/^flink_taskmanager_job_task_operator_numRecordsOut\{.*operator_name="Source: numbers"\} [1-9]\d*$/m);
  });

  it('GET /jobs/:jobid/output-sample: the newest rows the filesystem sink wrote, as print would show them (also under /v1)', async () => {
    // The independent answer: the job's windows as CSV lines, written as Row.toString (TIMESTAMP as Java's
    // LocalDateTime: seconds only when not zero).
    const localDateTime = (ts: string) => { const [d, t] = ts.split(' '); const [h, m, sec] = t.split(':'); return `${d}T${h}:${m}${sec.startsWith('00') ? '' : ':' + sec.slice(0, 2)}`; };
    const expected = new Set(expectedSums(100_000).map((l) => { const [k, ts, total, cnt] = l.split(','); return `+I[${k}, ${localDateTime(ts)}, ${total}, ${cnt}]`; }));
    const sample = await cluster.waitFor('a full output sample', async () => {
      const r = (await cluster.rest('GET', `/v1/jobs/${jobId}/output-sample`)).json;
      return r.sinks[0]?.rows.length === 50 && r;
    });
    expect(sample).toMatchObject({ 'max-rows': 50, sinks: [{ table: 'sums', connector: 'filesystem' }] });
    expect(sample.sinks).toHaveLength(1);
    const rows: string[] = sample.sinks[0].rows;
    expect(rows.filter((r) => !expected.has(r))).toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
    // Oldest first: the windows' starts never go back.
    const starts = rows.map((r) => r.split(', ')[1]);
    expect(starts).toEqual([...starts].sort());
    // Live: later rows replace the oldest.
    await cluster.waitFor('newer rows', async () => {
      const now: string[] = (await cluster.rest('GET', `/jobs/${jobId}/output-sample`)).json.sinks[0].rows;
      return now.at(-1)!.split(', ')[1] > starts.at(-1)!;
    });
    expect((await cluster.rest('GET', `/jobs/${'0'.repeat(32)}/output-sample`)).status).toBe(404);
  });

  it('answers 4xx for invalid ids, bodies and states', async () => {
    expect((await cluster.rest('GET', '/jobs/xyz')).status).toBe(400);
    expect((await cluster.rest('GET', `/jobs/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await cluster.rest('GET', '/no/such/path')).json).toEqual({ errors: ['Not found: GET /no/such/path'] });
    expect((await cluster.rest('PATCH', `/jobs/${jobId}?mode=stop`)).status).toBe(400);
    expect((await cluster.rest('POST', `/jobs/${jobId}/stop`, { drain: 'yes' })).status).toBe(400);
    expect((await cluster.rest('POST', `/jobs/${jobId}/savepoints`, { 'target-directory': 7 })).status).toBe(400);
    const badJson = await fetch(`${cluster.url}/jobs/${jobId}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"drain": fals' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as any).errors[0]).toMatch(/not valid JSON/);
    expect((await cluster.rest('GET', `/jobs/${jobId}/savepoints/${'a'.repeat(32)}`)).status).toBe(404);
    expect((await cluster.rest('GET', `/jobs/${jobId}/savepoints/nope`)).status).toBe(400);
  });

  it('cannot be wedged or used to write or read anywhere; the taskmanager protocol needs the cluster secret', async () => {
    // A recursive mkdir under /proc never settles on Node 20: refused before any filesystem call, at once.
    for (const dir of ['/proc/self/nope', '/sys/kernel/x', '/dev/shm/../x', '/dev/sluice']) {
      const r = await cluster.rest('POST', `/jobs/${jobId}/savepoints`, { 'target-directory': dir });
      expect(r.status, dir).toBe(400);
      expect(r.json.errors[0]).toBe(`'${dir}' is not a directory savepoints may be written to: not under /proc, /sys or /dev`);
    }
    // Through a symlink it is the same place.
    const link = path.join(tempDir(), 'to-proc');
    fs.symlinkSync('/proc/self', link);
    expect((await cluster.rest('POST', `/jobs/${jobId}/savepoints`, { 'target-directory': path.join(link, 'x') })).status).toBe(400);
    // A relative directory is under state.savepoints.dir, not the jobmanager's working directory.
    const relative = await cluster.rest('POST', `/jobs/${jobId}/savepoints`, { 'target-directory': 'nightly/a' });
    expect(relative.status).toBe(202);
    const done = await cluster.waitFor('savepoint', async () => {
      const st = (await cluster.rest('GET', `/jobs/${jobId}/savepoints/${relative.json['request-id']}`)).json;
      return st.status.id === 'COMPLETED' && st;
    });
    expect(done.operation.location.startsWith(path.join(cluster.dir, 'savepoints', 'nightly', 'a') + path.sep)).toBe(true);

    // Reading: an existing file, a missing one, a device and a system path all get the same answer, quoting nothing.
    const { json: jar } = await upload(bundle);
    for (const p of ['/etc/passwd', '/etc/no-such-file', '/dev/zero', '/proc/self/environ']) {
      const r = await cluster.rest('POST', `/jars/${path.basename(jar.filename)}/run`, { savepointPath: p });
      expect(r.status, p).toBe(400);
      expect(r.json.errors).toEqual([`'${p}' is not a readable savepoint`]);
    }

    // The internal protocol: anonymous callers of the REST port are refused, and nothing changes.
    const before = (await cluster.rest('GET', '/taskmanagers')).json.taskmanagers;
    const tmId = before[0].id;
    const fake = await cluster.rest('POST', '/internal/taskmanagers', { pid: 1, host: 'x', slots: 8, index: null, logFile: null });
    expect(fake.status).toBe(401);
    expect(fake.json.errors[0]).toMatch(/the taskmanager protocol needs the cluster secret/);
    expect((await cluster.rest('DELETE', `/internal/taskmanagers/${tmId}`)).status).toBe(401);
    expect((await cluster.rest('DELETE', `/v1/internal/taskmanagers/${tmId}`, undefined, { 'x-sluice-cluster-secret': 'guess' })).status).toBe(401);
    expect((await cluster.rest('GET', '/taskmanagers')).json.taskmanagers.map((t: any) => t.id)).toEqual([tmId]);
    expect((await cluster.job(jobId)).state).toBe('RUNNING');
    // The secret lives in the cluster directory, readable by its owner only.
    expect(fs.statSync(path.join(cluster.dir, 'cluster.secret')).mode & 0o077).toBe(0);
  });

  it('savepoints (the job keeps running), then PATCH ?mode=cancel: CANCELED; a second cancel and a stop are 409', async () => {
    const awaitSavepoint = (id: string) => cluster.waitFor('savepoint', async () => {
      const s = (await cluster.rest('GET', `/jobs/${jobId}/savepoints/${id}`)).json;
      return s.status.id === 'COMPLETED' && s;
    });
    // No body: the default directory, state.savepoints.dir (<cluster dir>/savepoints).
    const first = await cluster.rest('POST', `/jobs/${jobId}/savepoints`);
    expect(first.status).toBe(202);
    expect((await awaitSavepoint(first.json['request-id'])).operation.location).toMatch(new RegExp(`^${cluster.dir}/savepoints/savepoint-${jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    // curl -d sends a form content type; the body is read as JSON anyway, as Flink does.
    const target = tempDir();
    const sp = await fetch(`${cluster.url}/jobs/${jobId}/savepoints`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: JSON.stringify({ 'target-directory': target, 'cancel-job': false }),
    });
    expect(sp.status).toBe(202);
    const { 'request-id': id } = (await sp.json()) as any;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const done = await awaitSavepoint(id);
    expect(done.operation.location).toMatch(new RegExp(`^${target}/savepoint-${jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    expect(fs.existsSync(path.join(done.operation.location, '_metadata'))).toBe(true);
    const cp = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json;
    expect(cp.latest.savepoint).toMatchObject({ is_savepoint: true, external_path: done.operation.location });
    expect((await cluster.job(jobId)).state).toBe('RUNNING');

    expect((await cluster.rest('PATCH', `/jobs/${jobId}?mode=cancel`)).status).toBe(202);
    await cluster.waitForState(jobId, 'CANCELED');
    expect((await cluster.rest('PATCH', `/jobs/${jobId}?mode=cancel`)).status).toBe(409);
    const stop = await cluster.rest('POST', `/jobs/${jobId}/stop`, { drain: false });
    expect(stop.status).toBe(409);
    expect(stop.json.errors[0]).toMatch(/a stop with savepoint needs a RUNNING job/);
    expect((await cluster.rest('GET', `/jobs/${jobId}/savepoints`)).status).toBe(404);
    const overview = (await cluster.rest('GET', '/overview')).json;
    expect(overview).toMatchObject({ 'slots-available': 2, 'jobs-running': 0, 'jobs-cancelled': 1 });
  });
});
