// Bundle routes, as Flink's jar routes: upload (multipart, field `jarfile`, streamed to disk by
// @fastify/multipart), list, plan, run, delete.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, ClusterError } from '../../cluster/errors.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import { parse } from '../validate.js';
import { jobPlan } from '../vertex-shapes.js';
import { newJobId } from '../../cluster/ids.js';

const runBody = z.object({
  entryClass: z.string().nullish(),
  programArgs: z.string().nullish(),
  programArgsList: z.array(z.string()).nullish(),
  parallelism: z.number().int().nullish(),
  jobId: z.string().nullish(),
  allowNonRestoredState: z.boolean().nullish(),
  savepointPath: z.string().min(1).nullish(),
  restoreMode: z.enum(['CLAIM', 'NO_CLAIM', 'LEGACY']).nullish(),
  flinkConfiguration: z.record(z.string(), z.string()).nullish(),
}).strict();
const jarParams = z.object({ jarid: z.string() });
const planBody = z.object({
  entryClass: z.string().nullish(),
  programArgs: z.string().nullish(),
  programArgsList: z.array(z.string()).nullish(),
  parallelism: z.number().int().min(1).nullish(),
  jobId: z.string().regex(/^[0-9a-f]{32}$/).nullish(),
  flinkConfiguration: z.record(z.string(), z.string()).nullish(),
}).strict();

export function jarRoutes(app: FastifyInstance, jm: JobManager, baseUrl: () => string): void {
  app.post('/jars/upload', async (req) => {
    if (!req.isMultipart()) {
      throw badRequest('upload the bundle as multipart/form-data, e.g. curl -F jarfile=@build/job.mjs http://127.0.0.1:8081/jars/upload');
    }
    // Flink's field is `jarfile`; the first file is taken whatever its field.
    const file = await req.file();
    if (!file) throw badRequest('the upload holds no file (send it in the field jarfile)');
    const jar = await jm.jars.upload(file.filename, file.file);
    if (file.file.truncated) {
      await jm.jars.delete(jar.id);
      throw new ClusterError(413, 'the upload is larger than rest.server.max-content-length');
    }
    return { filename: jar.path, status: 'success' };
  });

  app.get('/jars', async () => ({
    address: baseUrl(),
    files: jm.jars.list().map((j) => ({
      id: j.id,
      name: j.name,
      uploaded: j.uploaded,
      entry: [{ name: j.plan.name, description: j.plan.args.length ? `compiled with job arguments: ${j.plan.args.join(' ')}` : null }],
    })),
  }));

  // The dataflow plan of a bundle's job, without running it. Run-time overrides (--set, -D) change options,
  // never the graph, so the plan is the compiled one.
  const plan = async (req: { params: unknown; body: unknown }) => {
    const jar = jm.jars.get(parse(jarParams, req.params, 'path').jarid);
    const body = parse(planBody, req.body, 'JarPlanRequestBody');
    return { plan: jobPlan({ id: body.jobId ?? newJobId(), name: jar.plan.name, plan: jar.plan }, () => body.parallelism ?? 1) };
  };
  app.post('/jars/:jarid/plan', plan);
  app.get('/jars/:jarid/plan', plan);

  app.post('/jars/:jarid/run', async (req) => {
    const { jarid } = parse(jarParams, req.params, 'path');
    const body = parse(runBody, req.body, 'JarRunRequestBody');
    const jobid = await jm.runJar(jarid, {
      programArgs: body.programArgs ?? undefined,
      programArgsList: body.programArgsList ?? undefined,
      parallelism: body.parallelism,
      savepointPath: body.savepointPath,
      allowNonRestoredState: body.allowNonRestoredState,
      jobId: body.jobId,
      flinkConfiguration: body.flinkConfiguration ?? undefined,
    });
    return { jobid };
  });

  app.delete('/jars/:jarid', async (req) => {
    const { jarid } = parse(jarParams, req.params, 'path');
    await jm.jars.delete(jarid);
    return {};
  });
}
