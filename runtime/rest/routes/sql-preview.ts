// The SQL page's routes (beyond Flink's REST API): GET /sql/tables, the cluster's tables as DDL, and
// POST /sql/preview {tables, query, limit}, which answers with a stream of JSON lines from a preview job
// (see ../sql-preview-job.ts) running in a child process. The job ends at the row limit, at the end of its
// input, after MAX_PREVIEW_MS, or when the client goes away (the page was closed or stopped): the child is
// killed and its directory removed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ClusterError } from '../../cluster/errors.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import type { PreviewSpec } from '../sql-preview-job.js';
import { clusterTables } from '../sql-tables.js';
import { parse } from '../validate.js';

const BOOT = fileURLToPath(new URL('../sql-preview-boot.mjs', import.meta.url));
const MAX_PREVIEWS = 2;
const MAX_PREVIEW_MS = 10 * 60_000;

const previewBody = z.object({
  tables: z.string().max(200_000).default(''),
  query: z.string().min(1).max(100_000),
  limit: z.number().int().min(1).max(10_000).default(100),
}).strict();

export function sqlPreviewRoutes(app: FastifyInstance, jm: JobManager): void {
  let running = 0;

  app.get('/sql/tables', async () => {
    const jobs = [...jm.jobs.values()].sort((a, b) => a.startTime - b.startTime);
    return clusterTables([...jm.jars.list().map((j) => j.plan), ...jobs.map((j) => j.plan)]);
  });

  app.post('/sql/preview', async (req, reply) => {
    const body = parse(previewBody, req.body, 'SQL preview request');
    if (running >= MAX_PREVIEWS) throw new ClusterError(409, `${MAX_PREVIEWS} SQL previews are running already; stop one first`);
    running++;
    const id = randomBytes(6).toString('hex');
    const dir = path.join(jm.paths.root, 'sql-previews', id);
    mkdirSync(dir, { recursive: true });
    const spec: PreviewSpec = { dir, tables: body.tables, query: body.query, limit: body.limit, groupId: `sluice-sql-preview-${id}` };
    writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));

    const child = spawn(process.execPath, [BOOT, path.join(dir, 'spec.json')], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, SLUICE_LOG_LEVEL: 'warn', SLUICE_LOG_FORMAT: 'text' },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    jm.log.info({ preview: id, pid: child.pid }, 'SQL preview job started');

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    const events = child.stdio[3] as NodeJS.ReadableStream;
    let sawEnd = false;
    events.on('data', (d: Buffer) => {
      const text = d.toString();
      if (text.includes('"type":"end"') || text.includes('"type":"error"')) sawEnd = true;
      res.write(text);
    });
    const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
    const timer = setTimeout(stop, MAX_PREVIEW_MS);
    res.on('close', stop);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running--;
      rmSync(dir, { recursive: true, force: true });
      jm.log.info({ preview: id, code, signal }, 'SQL preview job ended');
      if (!sawEnd && !res.destroyed) {
        const reason = signal ? `the preview job was stopped (${signal})` : `the preview process exited with code ${code}`;
        res.write(`${JSON.stringify({ type: 'error', message: `${reason}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}` })}\n`);
      }
      res.end();
    });
  });
}
