// GET /metrics for Prometheus, with prom-client, under the names and labels Flink's Prometheus reporter
// uses, so dashboards and alerts written for Flink read sluice: flink_jobmanager_* (cluster, and per job with
// job_id/job_name), flink_taskmanager_job_task_* (per task = vertex and subtask, with task_name,
// subtask_index, tm_id, host), flink_taskmanager_job_task_operator_* (per operator, with operator_id/name),
// flink_taskmanager_Status_* and flink_jobmanager_Status_* (each process's heap, CPU and event loop, JVM names
// where they mean the same). Like Flink's reporter, counts are gauges. Jobs that terminated export nothing
// (Flink unregisters a job's metrics when it ends). The jobmanager process adds prom-client's default
// process and Node.js metrics (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, nodejs_heap_*).
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { JobManager } from '../../cluster/jobmanager.js';
import { sampleProcess, type ProcessReport } from '../../cluster/process-metrics.js';
import { describe } from '../../exec/describe.js';
import { jobVertices } from '../job-graph.js';
import { jobMetricValues } from '../shapes.js';
import { chainReports, subtaskIndexes, subtaskMetricValues } from '../vertex-shapes.js';

type Labels = Record<string, string>;

/** The gauges of one scrape: created on first use, each with the label names of its first sample. */
class Scrape {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, Gauge>();

  set(name: string, help: string, labels: Labels, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    let g = this.gauges.get(name);
    if (!g) this.gauges.set(name, (g = new Gauge({ name, help, labelNames: Object.keys(labels), registers: [this.registry] })));
    g.set(labels, value);
  }
}

const JOB_GAUGES: [string, string][] = [
  ['uptime', 'Milliseconds the job has been running without interruption.'],
  ['downtime', 'Milliseconds the job has been restarting.'],
  ['numRestarts', 'Restarts since the job was submitted.'],
  ['numberOfCompletedCheckpoints', 'Completed checkpoints and savepoints.'],
  ['numberOfFailedCheckpoints', 'Failed checkpoints and savepoints.'],
  ['numberOfInProgressCheckpoints', 'Checkpoints in progress.'],
  ['lastCheckpointDuration', 'End-to-end duration of the last completed checkpoint (ms).'],
  ['lastCheckpointSize', 'Size of the last completed checkpoint (bytes).'],
  ['lastCheckpointRestoreTimestamp', 'When the job last restored a checkpoint (ms since the epoch, -1: never).'],
];

const TASK_GAUGES: [string, string][] = [
  ['numRecordsIn', 'Records the task received.'],
  ['numRecordsOut', 'Records the task emitted.'],
  ['busyTimeMsPerSecond', 'Milliseconds per second spent working.'],
  ['idleTimeMsPerSecond', 'Milliseconds per second spent waiting for input.'],
  ['backPressuredTimeMsPerSecond', 'Milliseconds per second spent waiting for downstream.'],
  ['currentInputWatermark', 'The task\'s input watermark (ms since the epoch).'],
];

const PROCESS_GAUGES: [string, string, (p: ProcessReport) => number][] = [
  ['Status_JVM_Memory_Heap_Used', 'Heap in use (bytes).', (p) => p.heapUsed],
  ['Status_JVM_Memory_Heap_Committed', 'Heap reserved (bytes).', (p) => p.heapTotal],
  ['Status_JVM_Memory_Heap_Max', 'Heap limit (bytes).', (p) => p.heapLimit],
  ['Status_JVM_Memory_NonHeap_Used', 'Memory outside the heap held by JavaScript objects (bytes).', (p) => p.external],
  ['Status_JVM_CPU_Load', 'CPU used since the previous sample, in cores.', (p) => p.cpuLoad],
  ['Status_JVM_CPU_Time', 'CPU time used (ns).', (p) => (p.cpuUserMs + p.cpuSystemMs) * 1e6],
  ['Status_Node_Memory_RSS', 'Resident memory (bytes).', (p) => p.rss],
  ['Status_Node_EventLoop_Delay_Mean', 'Mean event loop delay since the previous sample (ms).', (p) => p.eventLoopDelayMeanMs],
  ['Status_Node_EventLoop_Delay_Max', 'Longest event loop delay since the previous sample (ms).', (p) => p.eventLoopDelayMaxMs],
  ['Status_Node_EventLoop_Delay_P99', '99th percentile event loop delay since the previous sample (ms).', (p) => p.eventLoopDelayP99Ms],
];

export function prometheusRegistry(jm: JobManager): Registry {
  const s = new Scrape();
  const tms = [...jm.taskManagers.values()];
  const live = [...jm.jobs.values()].filter((j) => !j.terminal);
  s.set('flink_jobmanager_numRegisteredTaskManagers', 'Registered taskmanagers.', {}, tms.length);
  s.set('flink_jobmanager_taskSlotsTotal', 'Task slots of all taskmanagers.', {}, tms.reduce((n, t) => n + t.info.slots, 0));
  s.set('flink_jobmanager_taskSlotsAvailable', 'Free task slots.', {}, tms.reduce((n, t) => n + t.freeSlots, 0));
  s.set('flink_jobmanager_numRunningJobs', 'Jobs not in a terminal state.', {}, live.length);
  const own = sampleProcess();
  for (const [name, help, get] of PROCESS_GAUGES) s.set(`flink_jobmanager_${name}`, help, {}, get(own));
  for (const t of tms) {
    if (!t.process) continue;
    for (const [name, help, get] of PROCESS_GAUGES) s.set(`flink_taskmanager_${name}`, help, { tm_id: t.id, host: t.info.host }, get(t.process));
  }

  for (const job of live) {
    const jobLabels = { job_id: job.id, job_name: job.name };
    const values = jobMetricValues(job);
    for (const [name, help] of JOB_GAUGES) s.set(`flink_jobmanager_job_${name}`, help, jobLabels, values[name]);
    if (job.operators.length === 0) continue;
    const host = (job.taskManager && jm.taskManagers.get(job.taskManager)?.info.host) || '';
    for (const v of jobVertices(job.plan)) {
      for (const i of subtaskIndexes(job, v)) {
        const task = { ...jobLabels, task_id: v.id, task_name: v.name, subtask_index: String(i), task_attempt_num: String(Math.max(0, job.attempt - 1)), tm_id: job.taskManager ?? '', host };
        const tv = subtaskMetricValues(job, v, i);
        for (const [name, help] of TASK_GAUGES) s.set(`flink_taskmanager_job_task_${name}`, help, task, tv[name]);
        const { all } = chainReports(job, v, i);
        v.nodes.forEach((n, k) => {
          const r = all[k];
          if (!r) return;
          const op = { ...task, operator_id: n.id, operator_name: describe(n) };
          const pre = 'flink_taskmanager_job_task_operator_';
          s.set(`${pre}numRecordsIn`, 'Records the operator received.', op, r.recordsIn);
          s.set(`${pre}numRecordsOut`, 'Records the operator emitted.', op, r.recordsOut);
          s.set(`${pre}numLateRecordsDropped`, 'Records dropped for arriving after the watermark.', op, r.lateRecordsDropped);
          s.set(`${pre}numBadRecordsSkipped`, 'Records skipped as malformed.', op, r.badRecordsSkipped);
          s.set(`${pre}currentInputWatermark`, 'The operator\'s input watermark (ms since the epoch).', op, r.watermark);
          if (n.kind === 'source') {
            s.set(`${pre}numRecordsLost`, 'Records a source accepted to lose (scan.offset-out-of-range).', op, r.recordsLost ?? 0);
            s.set(`${pre}currentOutputWatermark`, 'The watermark the source emitted (ms since the epoch).', op, r.watermark);
            s.set(`${pre}pendingRecords`, 'Records the source has not read yet (Kafka: consumer lag summed over its partitions).', op, r.pendingRecords);
          }
        });
      }
    }
  }
  return s.registry;
}

/** prom-client's process and Node.js metrics of the jobmanager process, collected once per process. */
let defaults: Registry | null = null;
function defaultMetrics(): Registry {
  if (!defaults) {
    defaults = new Registry();
    collectDefaultMetrics({ register: defaults, eventLoopMonitoringPrecision: 20 });
  }
  return defaults;
}

export async function prometheusText(jm: JobManager): Promise<string> {
  return Registry.merge([defaultMetrics(), prometheusRegistry(jm)]).metrics();
}

export function metricsRoutes(app: FastifyInstance, jm: JobManager): void {
  app.get('/metrics', async (_req, reply) => reply.type(Registry.PROMETHEUS_CONTENT_TYPE).send(await prometheusText(jm)));
}
