// Vertex routes, as Flink's: a vertex's details with its subtasks, metrics (per subtask, or aggregated over
// subtasks), watermarks, subtask times, taskmanagers and backpressure. A vertex is a chain of operators
// (job-graph.ts); its id is its head operator's.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from '../../cluster/errors.js';
import type { JobManager } from '../../cluster/jobmanager.js';
import { findVertex } from '../job-graph.js';
import { aggregatedMetrics, metricCollection } from '../metric-shapes.js';
import {
  backpressure, subtaskSamples, subtaskTimes, vertexDetails, vertexMetricValues, vertexTaskManagers, watermarks,
} from '../vertex-shapes.js';
import { parse } from '../validate.js';
import { metricsQuery } from './processes.js';

const params = z.object({ jobid: z.string(), vertexid: z.string() });

/** Flink's ?subtasks=1,3,5-9. */
function subtaskFilter(spec: string | undefined): ((i: number) => boolean) | null {
  if (!spec) return null;
  const ranges = spec.split(',').map((r) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(r);
    if (!m) throw badRequest(`Request did not match expected format: query parameter 'subtasks': '${r}' is not an index or a range`);
    return [Number(m[1]), Number(m[2] ?? m[1])] as const;
  });
  return (i) => ranges.some(([a, b]) => i >= a && i <= b);
}

export function vertexRoutes(app: FastifyInstance, jm: JobManager): void {
  const of = (raw: unknown) => {
    const p = parse(params, raw, 'path');
    const job = jm.job(p.jobid);
    const v = findVertex(job.plan, p.vertexid);
    if (!v) throw notFound(`Vertex ${p.vertexid} not found in job ${job.id}`);
    return { job, v };
  };
  const base = '/jobs/:jobid/vertices/:vertexid';
  app.get(base, async (req) => { const { job, v } = of(req.params); return vertexDetails(jm, job, v); });
  app.get(`${base}/metrics`, async (req) => {
    const { job, v } = of(req.params);
    return metricCollection(vertexMetricValues(job, v), parse(metricsQuery, req.query, 'query parameter').get);
  });
  app.get(`${base}/subtasks/metrics`, async (req) => {
    const { job, v } = of(req.params);
    const q = parse(metricsQuery, req.query, 'query parameter');
    const keep = subtaskFilter(q.subtasks);
    return aggregatedMetrics(subtaskSamples(job, v).filter((_, i) => !keep || keep(i)), q.get, q.agg);
  });
  app.get(`${base}/watermarks`, async (req) => { const { job, v } = of(req.params); return watermarks(job, v); });
  app.get(`${base}/subtasktimes`, async (req) => { const { job, v } = of(req.params); return subtaskTimes(jm, job, v); });
  app.get(`${base}/taskmanagers`, async (req) => { const { job, v } = of(req.params); return vertexTaskManagers(jm, job, v); });
  app.get(`${base}/backpressure`, async (req) => { const { job, v } = of(req.params); return backpressure(job, v); });
}
