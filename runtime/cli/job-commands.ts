// The job commands that talk to a running cluster through its REST API, with `flink`'s output:
// `run -d` (upload the bundle, run it, print the job id; a job.ts is compiled first), `run` attached when a
// cluster is running, `list [-a]`, `stop`, `savepoint`, `cancel`. The cluster is found through -m/--jobmanager,
// else the cluster directory's jobmanager.json (--dir, $SLUICE_CLUSTER_DIR, .sluice/), else 127.0.0.1:8081.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { clusterPaths, isSluiceProcess, readJobmanagerState } from '../cluster/cluster-dir.js';
import { loadClusterConfig, resolveToken } from '../cluster/config.js';
import { RestClient, UnreachableError } from '../cluster/jobmanager-client.js';
import { Progress } from './progress.js';

export interface ClusterTarget {
  jobmanager?: string;
  dir?: string;
}

interface Cluster {
  client: RestClient;
  /** True when a cluster was named (-m) or found running in the cluster directory. */
  found: boolean;
}

export function findCluster(opts: ClusterTarget): Cluster {
  const paths = clusterPaths(opts.dir);
  const token = resolveToken(loadClusterConfig(paths));
  if (opts.jobmanager) {
    const url = /^https?:\/\//.test(opts.jobmanager) ? opts.jobmanager.replace(/\/$/, '') : `http://${opts.jobmanager}`;
    return { client: new RestClient(url, token), found: true };
  }
  const state = readJobmanagerState(paths);
  if (state && isSluiceProcess(state.pid)) return { client: new RestClient(state.url, token), found: true };
  return { client: new RestClient('http://127.0.0.1:8081', token), found: false };
}

/** Runs a REST call; a cluster that is not there becomes a user error with a hint. */
async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof UnreachableError) throw new UserError(e.message, 'start a cluster with `sluice cluster start`, or name one with -m host:port');
    throw e;
  }
}

export interface SubmitOptions extends ClusterTarget {
  detached?: boolean;
  fromSavepoint?: string;
  parallelism?: string;
  allowNonRestoredState?: boolean;
  set: string[];
  D: string[];
  unfused?: boolean;
}

/**
 * `sluice run` against a cluster: with -d always, without -d when a cluster is running (attached: waits for
 * the job to end). Returns false when the job should run in the foreground here instead.
 */
export async function submitIfCluster(target: string, args: string[], opts: SubmitOptions): Promise<boolean> {
  const cluster = findCluster(opts);
  // Without a cluster the job runs in the foreground, -s included (run-compiled.ts).
  if (!opts.detached && !cluster.found) return false;
  if (opts.unfused) throw new UserError('--unfused is for local runs (without a cluster)');
  const { client } = cluster;
  const progress = new Progress(`submitting ${target}`);
  let jobId: string;
  let bundle: string;
  let cleanup: () => void;
  try {
    ({ bundle, cleanup } = await bundleFor(target, args, opts.D, progress));
  } catch (e) {
    progress.fail();
    throw e;
  }
  try {
    const form = new FormData();
    const bytes = readFileSync(bundle);
    form.append('jarfile', new Blob([bytes]), path.basename(bundle));
    progress.step(`uploading the bundle (${(bytes.length / 1e6).toFixed(1)} MB) to ${client.baseUrl}`);
    const upload = await call(() => client.request<{ filename: string }>('POST', '/jars/upload', { form, timeoutMs: 120_000 }));
    const jarId = path.basename(upload.filename);
    try {
      const programArgsList = [...opts.set.flatMap((s) => ['--set', s]), ...opts.D.flatMap((d) => ['-D', d])];
      progress.step('starting the job');
      const res = await call(() => client.post<{ jobid: string }>(`/jars/${encodeURIComponent(jarId)}/run`, {
        programArgsList,
        ...(opts.fromSavepoint ? { savepointPath: path.resolve(opts.fromSavepoint.replace(/^file:(\/\/)?(?=\/)/, '')) } : {}),
        ...(opts.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
        ...(opts.parallelism ? { parallelism: Number(opts.parallelism) } : {}),
      }));
      jobId = res.jobid;
    } finally {
      // The job runs from its own copy; the uploaded one is not needed any more.
      await client.request('DELETE', `/jars/${encodeURIComponent(jarId)}`).catch(() => {});
    }
  } catch (e) {
    progress.fail();
    throw e;
  } finally {
    cleanup();
  }
  progress.done();
  console.log(`Job has been submitted with JobID ${jobId}`);
  if (opts.detached) {
    await warnIfWaiting(client, jobId);
    return true;
  }
  await waitForEnd(client, jobId);
  return true;
}

/** A bundle as is; a job file compiled into a temporary bundle first (with its job arguments). */
async function bundleFor(target: string, args: string[], defines: string[], progress: Progress): Promise<{ bundle: string; cleanup: () => void }> {
  if (target.endsWith('.mjs') || target.endsWith('.js')) {
    if (args.length) console.error(`note: job arguments are compile-time inputs; the bundle keeps the ones it was compiled with, ignoring [${args.join(' ')}]`);
    return { bundle: target, cleanup: () => {} };
  }
  progress.step('loading the compiler');
  const { compileJob } = await import('../../compiler/index.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-submit-'));
  const out = path.join(dir, `${path.basename(target, path.extname(target))}.mjs`);
  const { definedConfig } = await import('../exec/apply-overrides.js');
  await compileJob(target, { args, out, progress: (step) => progress.step(`compiling: ${step}`), config: definedConfig(defines) });
  return { bundle: out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Waiting { reason: string; 'timeout-at': number }
interface JobDetails { state: string; name: string; 'waiting-for-resources'?: Waiting }

/** How long a job waits for slots, for people: "... (fails at 14:05:09 unless slots free up)". */
function waitingText(w: Waiting): string {
  return `${w.reason} (it fails at ${new Date(w['timeout-at']).toTimeString().slice(0, 8)}, slot.request.timeout, unless slots free up)`;
}

/** `run -d` returns at once: a job that cannot be scheduled now is worth a warning, with the way out. */
async function warnIfWaiting(client: RestClient, jobId: string): Promise<void> {
  const job = await client.get<JobDetails>(`/jobs/${jobId}`).catch(() => null);
  const w = job?.['waiting-for-resources'];
  if (!w) return;
  console.error(`warning: the job cannot be scheduled now: ${waitingText(w)}`);
  console.error('  hint: add slots with `sluice taskmanager start` (or --slots / taskmanager.numberOfTaskSlots), or stop a job: `sluice list`');
}

/** Attached mode: follows the job until it ends; a job that did not finish is an error (exit 1). */
async function waitForEnd(client: RestClient, jobId: string): Promise<void> {
  let last = '';
  const onSigint = () => {
    console.error(`\nThe job keeps running in the cluster; cancel it with: sluice cancel ${jobId}`);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  let lastFailure: number | null = null;
  try {
    for (;;) {
      const job = await call(() => client.get<JobDetails>(`/jobs/${jobId}`));
      const w = job['waiting-for-resources'];
      const now = w ? `${job.state}, ${w.reason}` : job.state;
      if (now !== last) console.error(`${job.name} (${jobId}) is ${w ? `${job.state}, ${waitingText(w)}` : job.state}`);
      if (job.state !== 'FAILED' && job.state !== 'FINISHED' && job.state !== 'CANCELED') {
        // A poison record restarts the job forever: say so once per failure, with the way out. Failures are told
        // apart by their time, as a quick restart can fail again between two polls without a visible RUNNING.
        const ex = await client.get<{ 'root-exception': string | null; timestamp: number | null }>(`/jobs/${jobId}/exceptions`).catch(() => null);
        if (ex?.timestamp != null && ex.timestamp !== lastFailure && ex['root-exception']?.startsWith('PoisonRecordError')) console.error(`  ${ex['root-exception']}`);
        lastFailure = ex?.timestamp ?? lastFailure;
      }
      last = now;
      if (job.state === 'FINISHED') return;
      if (job.state === 'FAILED' || job.state === 'CANCELED') {
        const ex = await client.get<{ 'root-exception': string | null }>(`/jobs/${jobId}/exceptions`).catch(() => null);
        throw new UserError(`job ${jobId} ${job.state === 'FAILED' ? 'failed' : 'was cancelled'}${ex?.['root-exception'] ? `: ${ex['root-exception']}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

interface JobOverview { jid: string; name: string; state: string; 'start-time': number; 'waiting-for-resources'?: Waiting }

const RUNNING_HEADER = '------------------ Running/Restarting Jobs -------------------';
const SCHEDULED_HEADER = '----------------------- Scheduled Jobs -----------------------';
const TERMINATED_HEADER = '---------------------- Terminated Jobs -----------------------';
const FOOTER = '--------------------------------------------------------------';

/** `flink list`'s time format: dd.MM.yyyy HH:mm:ss in local time. */
function flinkTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getDate())}.${p(d.getMonth() + 1)}.${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export async function listJobs(opts: ClusterTarget & { all?: boolean }): Promise<void> {
  const { client } = findCluster(opts);
  const { jobs } = await call(() => client.get<{ jobs: JobOverview[] }>('/jobs/overview'));
  const terminal = new Set(['FINISHED', 'CANCELED', 'FAILED']);
  const scheduled = jobs.filter((j) => j.state === 'CREATED' || j.state === 'INITIALIZING');
  const running = jobs.filter((j) => !terminal.has(j.state) && !scheduled.includes(j));
  const ended = jobs.filter((j) => terminal.has(j.state));
  // Beyond `flink list`: each job's parallelism (its execution config's), after Flink's line, so that scripts
  // reading the line's fields as Flink's keep working.
  const listed = [...running, ...scheduled, ...(opts.all ? ended : [])];
  const parallelism = new Map(await Promise.all(listed.map(async (j) =>
    [j.jid, (await call(() => client.get<{ 'execution-config': { 'job-parallelism': number } }>(`/jobs/${j.jid}/config`)))['execution-config']['job-parallelism']] as const)));
  const print = (header: string, list: JobOverview[]) => {
    console.log(header);
    for (const j of [...list].sort((a, b) => a['start-time'] - b['start-time'])) {
      const w = j['waiting-for-resources'];
      console.log(`${flinkTime(j['start-time'])} : ${j.jid} : ${j.name} (${j.state}${w ? `, ${waitingText(w)}` : ''}) [parallelism ${parallelism.get(j.jid)}]`);
    }
    console.log(FOOTER);
  };
  if (running.length) print(RUNNING_HEADER, running);
  else console.log('No running jobs.');
  if (scheduled.length) print(SCHEDULED_HEADER, scheduled);
  else console.log('No scheduled jobs.');
  if (opts.all) {
    if (ended.length) print(TERMINATED_HEADER, ended);
    else console.log('No terminated jobs.');
  }
}

interface SavepointStatus { status: { id: string }; operation?: { location?: string; 'failure-cause'?: { class: string; message?: string; 'stack-trace'?: string } } }

async function awaitSavepoint(client: RestClient, jobId: string, triggerId: string): Promise<string> {
  for (;;) {
    const s = await call(() => client.get<SavepointStatus>(`/jobs/${jobId}/savepoints/${triggerId}`));
    if (s.status.id === 'COMPLETED') {
      if (s.operation?.location) return s.operation.location;
      const cause = s.operation?.['failure-cause'];
      throw new UserError(`the savepoint failed: ${cause?.message ?? cause?.['stack-trace']?.split('\n')[0] ?? 'unknown cause'}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stopJob(jobId: string, opts: ClusterTarget & { savepointPath?: string; drain?: boolean }): Promise<void> {
  const { client } = findCluster(opts);
  const body = { drain: opts.drain ?? false, ...(opts.savepointPath ? { targetDirectory: path.resolve(opts.savepointPath) } : {}) };
  // Announced once the jobmanager accepted it: an unknown job is "not found", with nothing announced first.
  const { 'request-id': trigger } = await call(() => client.post<{ 'request-id': string }>(`/jobs/${jobId}/stop`, body));
  console.log(`Suspending job "${jobId}" with a savepoint.`);
  const location = await awaitSavepoint(client, jobId, trigger);
  console.log(`Savepoint completed. Path: ${location}`);
}

export async function savepointJob(jobId: string, dir: string | undefined, opts: ClusterTarget): Promise<void> {
  const { client } = findCluster(opts);
  const body = { 'cancel-job': false, ...(dir ? { 'target-directory': path.resolve(dir) } : {}) };
  const { 'request-id': trigger } = await call(() => client.post<{ 'request-id': string }>(`/jobs/${jobId}/savepoints`, body));
  console.log(`Triggering savepoint for job ${jobId}.`);
  const location = await awaitSavepoint(client, jobId, trigger);
  console.log(`Savepoint completed. Path: ${location}`);
  console.log('You can resume your program from this savepoint with the run command.');
}

export async function cancelJob(jobId: string, opts: ClusterTarget): Promise<void> {
  const { client } = findCluster(opts);
  await call(() => client.request('PATCH', `/jobs/${jobId}?mode=cancel`));
  console.log(`Cancelling job ${jobId}.`);
  // Longer than task.cancellation.timeout (30 s), after which a task that does not stop is terminated.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const job = await call(() => client.get<JobDetails>(`/jobs/${jobId}`));
    if (job.state === 'CANCELED') return void console.log(`Cancelled job ${jobId}.`);
    if (job.state === 'FINISHED' || job.state === 'FAILED') throw new UserError(`job ${jobId} ended as ${job.state} before it could be cancelled`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new UserError(`job ${jobId} is still cancelling after 90 s`, `follow it with: sluice list`);
}
