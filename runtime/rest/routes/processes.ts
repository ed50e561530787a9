// The jobmanager's and taskmanagers' own routes, as Flink's: details, metrics (one process, or aggregated
// over taskmanagers), log lists and log files (`log`, `stdout`, `logs/:filename`), the jobmanager's environment.
import type { FastifyInstance, FastifyReply } from 'fastify';
import fs from 'node:fs';
import { z } from 'zod';
import type { JobManager } from '../../cluster/jobmanager.js';
import { sampleProcess } from '../../cluster/process-metrics.js';
import { aggregatedMetrics, metricCollection } from '../metric-shapes.js';
import {
  environment, jobManagerMetricValues, logFile, logFiles, logList, taskManagerDetails, taskManagerMetricValues, taskManagers,
} from '../process-shapes.js';
import { parse } from '../validate.js';

const tmParams = z.object({ taskmanagerid: z.string() });
const fileParams = z.object({ filename: z.string() });
export const metricsQuery = z.object({
  get: z.string().optional(),
  agg: z.string().optional(),
  jobs: z.string().optional(),
  taskmanagers: z.string().optional(),
  subtasks: z.string().optional(),
});

/** A log file as text (the dashboard shows its tail). */
async function sendFile(reply: FastifyReply, file: string) {
  return reply.type('text/plain; charset=utf-8').send(await fs.promises.readFile(file, 'utf8').catch(() => ''));
}

export function processRoutes(app: FastifyInstance, jm: JobManager): void {
  const tmOf = (params: unknown) => jm.taskManager(parse(tmParams, params, 'path').taskmanagerid);
  const jmFiles = () => logFiles(jm.paths.log('jobmanager'));
  const tmFiles = (params: unknown) => logFiles(tmOf(params).info.logFile);

  app.get('/jobmanager/metrics', async (req) => {
    const q = parse(metricsQuery, req.query, 'query parameter');
    return metricCollection(jobManagerMetricValues(jm, sampleProcess()), q.get);
  });
  app.get('/jobmanager/environment', async () => environment());
  app.get('/jobmanager/logs', async () => logList(jmFiles()));
  app.get('/jobmanager/logs/:filename', async (req, reply) => sendFile(reply, logFile(jmFiles(), parse(fileParams, req.params, 'path').filename)));
  app.get('/jobmanager/log', async (_req, reply) => sendFile(reply, logFile(jmFiles(), 'jobmanager.log')));
  app.get('/jobmanager/stdout', async (_req, reply) => sendFile(reply, logFile(jmFiles(), 'jobmanager.out')));

  app.get('/taskmanagers', async () => taskManagers(jm));
  app.get('/taskmanagers/metrics', async (req) => {
    const q = parse(metricsQuery, req.query, 'query parameter');
    const wanted = q.taskmanagers?.split(',');
    const tms = [...jm.taskManagers.values()].filter((t) => !wanted || wanted.includes(t.id));
    return aggregatedMetrics(tms.map(taskManagerMetricValues), q.get, q.agg);
  });
  app.get('/taskmanagers/:taskmanagerid', async (req) => taskManagerDetails(tmOf(req.params)));
  app.get('/taskmanagers/:taskmanagerid/metrics', async (req) => {
    const q = parse(metricsQuery, req.query, 'query parameter');
    return metricCollection(taskManagerMetricValues(tmOf(req.params)), q.get);
  });
  app.get('/taskmanagers/:taskmanagerid/logs', async (req) => logList(tmFiles(req.params)));
  app.get('/taskmanagers/:taskmanagerid/logs/:filename', async (req, reply) =>
    sendFile(reply, logFile(tmFiles(req.params), parse(fileParams, req.params, 'path').filename)));
  app.get('/taskmanagers/:taskmanagerid/log', async (req, reply) => {
    const files = tmFiles(req.params);
    return sendFile(reply, logFile(files, files.find((f) => f.name.endsWith('.log'))?.name ?? '.log'));
  });
  app.get('/taskmanagers/:taskmanagerid/stdout', async (req, reply) => {
    const files = tmFiles(req.params);
    return sendFile(reply, logFile(files, files.find((f) => f.name.endsWith('.out'))?.name ?? '.out'));
  });
}
