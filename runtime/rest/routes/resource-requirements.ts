// GET/PUT /jobs/:jobid/resource-requirements, Flink's adaptive scheduler's way to rescale a running job
// (FLIP-291): per vertex {"parallelism": {"lowerBound", "upperBound"}}. sluice runs every vertex at the job's
// parallelism, so GET gives each vertex [1, parallelism] and PUT takes one upper bound for all of them: the
// job is stopped with a savepoint and deployed again at that parallelism, restored from it
// (JobManager.rescale). Where Flink's scheduler settles for fewer slots (down to lowerBound), sluice waits for
// the upper bound's slots as any deployment does.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JobManager } from '../../cluster/jobmanager.js';
import { badRequest } from '../../cluster/errors.js';
import { jobVertices } from '../job-graph.js';
import { parse } from '../validate.js';

const jobParams = z.object({ jobid: z.string() });
const bounds = z.object({
  parallelism: z.object({ lowerBound: z.number().int().min(1), upperBound: z.number().int().min(1) }).strict(),
}).strict();
const requirementsBody = z.record(z.string(), bounds);

export function resourceRequirementsRoutes(app: FastifyInstance, jm: JobManager): void {
  const jobOf = (params: unknown) => jm.job(parse(jobParams, params, 'path').jobid);

  app.get('/jobs/:jobid/resource-requirements', async (req) => {
    const job = jobOf(req.params);
    const parallelism = job.rescaling?.to ?? job.parallelism;
    return Object.fromEntries(jobVertices(job.plan).map((v) => [v.id, { parallelism: { lowerBound: 1, upperBound: parallelism } }]));
  });

  app.put('/jobs/:jobid/resource-requirements', async (req, reply) => {
    const job = jobOf(req.params);
    const body = parse(requirementsBody, req.body, 'JobResourceRequirementsBody');
    const vertices = jobVertices(job.plan).map((v) => v.id);
    const missing = vertices.filter((id) => !(id in body));
    if (missing.length) throw badRequest(`the resource requirements must name every vertex of job ${job.id}; missing: ${missing.join(', ')}`);
    const unknown = Object.keys(body).filter((id) => !vertices.includes(id));
    if (unknown.length) throw badRequest(`job ${job.id} has no vertex ${unknown.join(', ')}`);
    for (const [id, { parallelism }] of Object.entries(body)) {
      if (parallelism.lowerBound > parallelism.upperBound) throw badRequest(`vertex ${id}: lowerBound ${parallelism.lowerBound} is above upperBound ${parallelism.upperBound}`);
    }
    const uppers = new Set(Object.values(body).map((b) => b.parallelism.upperBound));
    if (uppers.size > 1) {
      throw badRequest(`sluice runs every vertex of a job at the job's parallelism: give every vertex the same upperBound (got ${[...uppers].sort((a, b) => a - b).join(', ')})`);
    }
    await jm.rescale(job.id, [...uppers][0]);
    return reply.code(200).send({});
  });
}
