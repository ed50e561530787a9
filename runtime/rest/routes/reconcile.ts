// The reconcile routes (beyond Flink's REST API, for the dashboard and scripts): `sluice reconcile`'s JSON
// report of a job against its latest completed checkpoint or savepoint. The replay runs in a child process
// (`sluice reconcile --json`, given the job's bundle and its plan with the run's --set/-D applied), so it
// never holds up the REST server; one per job at a time, at most RECONCILE_TIMEOUT_MS.
// - GET /jobs/:jobid/reconcile runs one and answers its report: 200 (its `ok` says whether everything is
//   explained), 409 when there is no checkpoint yet or one runs already, 422 with the reason when it could not run.
// - POST /jobs/:jobid/reconcile starts one and answers 202 at once (the dashboard's button: a replay can take
//   minutes, longer than a page should wait on one request); GET /jobs/:jobid/reconcile/latest follows it:
//   the latest run of the job, RUNNING, COMPLETED (with the report and the CLI's exit code 0/1) or FAILED
//   (exit 2 and the reason). Kept in the jobmanager's memory, for as long as it runs.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ClusterError } from '../../cluster/errors.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import { parse } from '../validate.js';

const SLUICE = fileURLToPath(new URL('../../../bin/sluice.mjs', import.meta.url));
const RECONCILE_TIMEOUT_MS = 10 * 60_000;
const jobParams = z.object({ jobid: z.string() });

/** One reconcile of a job, as GET .../reconcile/latest answers it. */
interface ReconcileRun {
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  'start-time': number;
  'end-time': number | null;
  /** The CLI's exit code: 0 nothing unexplained, 1 something is, 2 it could not run; null while running. */
  'exit-code': number | null;
  report: unknown;
  error: string | null;
}

export function reconcileRoutes(app: FastifyInstance, jm: JobManager): void {
  const latest = new Map<string, ReconcileRun>();

  /** Checks that the job can be reconciled now and starts the child; the run settles when it ends. */
  const start = (jobId: string): Promise<ReconcileRun> => {
    const job = jm.job(jobId);
    const c = job.checkpoints;
    if (!c.latestCompleted && !c.latestSavepoint) throw new ClusterError(409, `job ${job.id} has no completed checkpoint or savepoint yet: nothing to reconcile against`);
    if (latest.get(job.id)?.status === 'RUNNING') throw new ClusterError(409, `a reconcile of job ${job.id} is running already`);
    const run: ReconcileRun = { status: 'RUNNING', 'start-time': Date.now(), 'end-time': null, 'exit-code': null, report: null, error: null };
    latest.set(job.id, run);
    const dir = path.join(jm.paths.root, 'reconcile', job.id);
    mkdirSync(dir, { recursive: true });
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(job.plan));
    return runChild(['reconcile', job.bundle, '--plan', planFile, '--job', job.id, '--dir', jm.paths.root, '--json']).then(({ code, stdout, stderr }) => {
      rmSync(dir, { recursive: true, force: true });
      run['end-time'] = Date.now();
      let report: unknown = null;
      try { report = (code === 0 || code === 1) ? JSON.parse(stdout) : null; } catch { /* not a report: failed below */ }
      if (report !== null) Object.assign(run, { status: 'COMPLETED', 'exit-code': code, report });
      else {
        const reason = stderr.split('\n').find((l) => l.startsWith('error: '))?.slice(7) ?? `reconcile exited with code ${code}`;
        Object.assign(run, { status: 'FAILED', 'exit-code': 2, error: reason });
      }
      return run;
    });
  };

  app.get('/jobs/:jobid/reconcile', async (req, reply) => {
    const run = await start(parse(jobParams, req.params, 'path').jobid);
    if (run.status === 'FAILED') return reply.code(422).send({ errors: [run.error] });
    return reply.type('application/json').send(JSON.stringify(run.report, null, 2));
  });

  app.post('/jobs/:jobid/reconcile', async (req, reply) => {
    const jobId = parse(jobParams, req.params, 'path').jobid;
    void start(jobId);
    return reply.code(202).send(latest.get(jm.job(jobId).id));
  });

  app.get('/jobs/:jobid/reconcile/latest', async (req) => {
    const job = jm.job(parse(jobParams, req.params, 'path').jobid);
    const run = latest.get(job.id);
    if (!run) throw new ClusterError(404, `job ${job.id} has not been reconciled since the jobmanager started: POST /jobs/${job.id}/reconcile starts one`);
    return run;
  });
}

function runChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SLUICE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), RECONCILE_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: null, stdout, stderr: `error: ${e.message}` }); });
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
