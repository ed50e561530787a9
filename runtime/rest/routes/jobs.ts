// Job routes, with Flink's paths and bodies: list, details, cancel, stop-with-savepoint, savepoints and
// their status, checkpoint statistics, exception history, backpressure per vertex, job metrics.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../cluster/errors.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import { intOption } from '../../core/options.js';
import { backpressure, checkpointing, exceptions, jobDetails, jobMetricValues, jobOverview, savepointStatus } from '../shapes.js';
import { parse } from '../validate.js';

const jobParams = z.object({ jobid: z.string() });
const stopBody = z.object({
  targetDirectory: z.string().min(1).nullish(),
  drain: z.boolean().nullish(),
  formatType: z.enum(['CANONICAL', 'NATIVE']).nullish(),
  triggerId: z.string().nullish(),
}).strict();
const savepointBody = z.object({
  'target-directory': z.string().min(1).nullish(),
  'cancel-job': z.boolean().nullish(),
  formatType: z.enum(['CANONICAL', 'NATIVE']).nullish(),
  triggerId: z.string().nullish(),
}).strict();
const cancelQuery = z.object({ mode: z.enum(['cancel']).optional() });
const exceptionsQuery = z.object({ maxExceptions: z.coerce.number().int().min(0).optional() });
const metricsQuery = z.object({ get: z.string().optional() });

export function jobRoutes(app: FastifyInstance, jm: JobManager): void {
  const jobOf = (params: unknown) => jm.job(parse(jobParams, params, 'path').jobid);

  app.get('/jobs', async () => ({ jobs: [...jm.jobs.values()].map((j) => ({ id: j.id, status: j.state })) }));
  app.get('/jobs/overview', async () => ({ jobs: [...jm.jobs.values()].map(jobOverview) }));
  app.get('/jobs/:jobid', async (req) => jobDetails(jobOf(req.params)));

  app.patch('/jobs/:jobid', async (req, reply) => {
    const job = jobOf(req.params);
    parse(cancelQuery, req.query, 'query parameter');
    jm.cancel(job.id);
    return reply.code(202).send({});
  });

  app.post('/jobs/:jobid/stop', async (req, reply) => {
    const job = jobOf(req.params);
    const body = parse(stopBody, req.body, 'StopWithSavepointRequestBody');
    const id = await jm.triggerSavepoint(job.id, body.targetDirectory, 'stop', body.drain ?? false, body.triggerId);
    return reply.code(202).send({ 'request-id': id });
  });

  app.post('/jobs/:jobid/savepoints', async (req, reply) => {
    const job = jobOf(req.params);
    const body = parse(savepointBody, req.body, 'SavepointTriggerRequestBody');
    const id = await jm.triggerSavepoint(job.id, body['target-directory'], body['cancel-job'] ? 'cancel' : 'continue', false, body.triggerId);
    return reply.code(202).send({ 'request-id': id });
  });

  app.get('/jobs/:jobid/savepoints/:triggerid', async (req) => {
    const { jobid, triggerid } = parse(z.object({ jobid: z.string(), triggerid: z.string() }), req.params, 'path');
    return savepointStatus(jm.savepointStatus(jobid, triggerid));
  });

  app.get('/jobs/:jobid/checkpoints', async (req) => checkpointing(jobOf(req.params)));

  app.get('/jobs/:jobid/exceptions', async (req) => {
    const job = jobOf(req.params);
    const q = parse(exceptionsQuery, req.query, 'query parameter');
    return exceptions(job, q.maxExceptions ?? intOption(jm.config, 'web.exception-history-size', 16, 1));
  });

  app.get('/jobs/:jobid/vertices/:vertexid/backpressure', async (req) => {
    const job = jobOf(req.params);
    const { vertexid } = parse(z.object({ vertexid: z.string() }), req.params, 'path');
    if (!job.plan.nodes.some((n) => n.id === vertexid)) throw notFound(`Vertex ${vertexid} not found in job ${job.id}`);
    return backpressure(job, vertexid);
  });

  app.get('/jobs/:jobid/metrics', async (req) => {
    const job = jobOf(req.params);
    const q = parse(metricsQuery, req.query, 'query parameter');
    const values = jobMetricValues(job);
    if (!q.get) return Object.keys(values).map((id) => ({ id }));
    return q.get.split(',').filter((id) => id in values).map((id) => ({ id, value: String(values[id]) }));
  });
}
