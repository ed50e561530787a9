// Job routes, with Flink's paths and bodies: list, details, status, plan, configuration, execution result,
// cancel, stop-with-savepoint, savepoints and their status, checkpoint statistics, configuration and
// details, exception history, job metrics (one job, or aggregated over jobs), and sluice's output sample (the
// newest rows each sink wrote). Vertex routes: vertices.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JobManager } from '../../cluster/jobmanager.js';
import { intOption } from '../../core/options.js';
import { OUTPUT_SAMPLE_ROWS } from '../../core/output-sample.js';
import { aggregatedMetrics, metricCollection } from '../metric-shapes.js';
import {
  checkpointConfig, checkpointDetails, checkpointing, exceptions, executionResult, jobConfig, jobDetails, jobMetricValues, jobOverview, savepointStatus,
} from '../shapes.js';
import { jobPlan, vertexParallelism } from '../vertex-shapes.js';
import { metricsQuery } from './processes.js';
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
const checkpointParams = z.object({ checkpointid: z.coerce.number().int().min(0) });

export function jobRoutes(app: FastifyInstance, jm: JobManager): void {
  const jobOf = (params: unknown) => jm.job(parse(jobParams, params, 'path').jobid);

  app.get('/jobs', async () => ({ jobs: [...jm.jobs.values()].map((j) => ({ id: j.id, status: j.state })) }));
  app.get('/jobs/overview', async () => ({ jobs: [...jm.jobs.values()].map(jobOverview) }));
  app.get('/jobs/metrics', async (req) => {
    const q = parse(metricsQuery, req.query, 'query parameter');
    const wanted = q.jobs?.split(',').map((id) => jm.job(id.trim()).id);
    const jobs = [...jm.jobs.values()].filter((j) => (wanted ? wanted.includes(j.id) : !j.terminal));
    return aggregatedMetrics(jobs.map(jobMetricValues), q.get, q.agg);
  });
  app.get('/jobs/:jobid', async (req) => jobDetails(jobOf(req.params)));
  app.get('/jobs/:jobid/status', async (req) => ({ status: jobOf(req.params).state }));
  app.get('/jobs/:jobid/plan', async (req) => {
    const job = jobOf(req.params);
    return { plan: jobPlan(job, (v) => vertexParallelism(job, v)) };
  });
  app.get('/jobs/:jobid/config', async (req) => jobConfig(jobOf(req.params)));
  app.get('/jobs/:jobid/execution-result', async (req) => executionResult(jobOf(req.params)));

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
  app.get('/jobs/:jobid/checkpoints/config', async (req) => checkpointConfig(jobOf(req.params)));
  app.get('/jobs/:jobid/checkpoints/details/:checkpointid', async (req) => {
    const job = jobOf(req.params);
    return checkpointDetails(job, parse(checkpointParams, req.params, 'path').checkpointid);
  });

  app.get('/jobs/:jobid/exceptions', async (req) => {
    const job = jobOf(req.params);
    const q = parse(exceptionsQuery, req.query, 'query parameter');
    return exceptions(job, q.maxExceptions ?? intOption(jm.config, 'web.exception-history-size', 16, 1));
  });

  // A sluice extension: the newest rows each sink wrote (for the dashboard's Output tab), every sink of the plan listed.
  app.get('/jobs/:jobid/output-sample', async (req) => {
    const job = jobOf(req.params);
    const sinks = job.plan.nodes.flatMap((n) => (n.kind === 'sink' ? [{ id: n.id, table: n.table, connector: n.connector, rows: job.outputSamples.get(n.id) ?? [] }] : []));
    return { 'max-rows': OUTPUT_SAMPLE_ROWS, sinks };
  });

  app.get('/jobs/:jobid/metrics', async (req) => {
    const job = jobOf(req.params);
    const q = parse(metricsQuery, req.query, 'query parameter');
    return metricCollection(jobMetricValues(job), q.get);
  });
}
