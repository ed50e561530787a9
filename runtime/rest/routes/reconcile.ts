// GET /jobs/:jobid/reconcile (beyond Flink's REST API, for the dashboard and scripts): `sluice reconcile`'s
// JSON report of the job against its latest completed checkpoint or savepoint. The replay runs in a child
// process (`sluice reconcile --json`, given the job's bundle and its plan with the run's --set/-D applied), so
// it never holds up the REST server; one per job at a time, at most RECONCILE_TIMEOUT_MS. 200 with the report
// (its `ok` says whether everything is explained), 409 when there is no checkpoint yet or one runs already,
// 422 with the reason when it could not run.
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

export function reconcileRoutes(app: FastifyInstance, jm: JobManager): void {
  const running = new Set<string>();

  app.get('/jobs/:jobid/reconcile', async (req, reply) => {
    const job = jm.job(parse(jobParams, req.params, 'path').jobid);
    const c = job.checkpoints;
    if (!c.latestCompleted && !c.latestSavepoint) throw new ClusterError(409, `job ${job.id} has no completed checkpoint or savepoint yet: nothing to reconcile against`);
    if (running.has(job.id)) throw new ClusterError(409, `a reconcile of job ${job.id} is running already`);
    running.add(job.id);
    const dir = path.join(jm.paths.root, 'reconcile', job.id);
    try {
      mkdirSync(dir, { recursive: true });
      const planFile = path.join(dir, 'plan.json');
      writeFileSync(planFile, JSON.stringify(job.plan));
      const { code, stdout, stderr } = await runChild(['reconcile', job.bundle, '--plan', planFile, '--job', job.id, '--dir', jm.paths.root, '--json']);
      if (code === 0 || code === 1) return reply.type('application/json').send(stdout);
      const reason = stderr.split('\n').find((l) => l.startsWith('error: '))?.slice(7) ?? `reconcile exited with code ${code}`;
      return reply.code(422).send({ errors: [reason] });
    } finally {
      running.delete(job.id);
      rmSync(dir, { recursive: true, force: true });
    }
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
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
