// A job's vertices (chains of operators, see job-graph.ts) and their subtasks in Flink's JSON shapes: the
// vertex summary of /jobs/:jobid, vertex details, subtask metrics, watermarks, subtask times, the vertex's
// taskmanagers and backpressure. Every answer is built per subtask index, so a vertex of parallelism n shows
// n subtasks; a subtask's figures are its chain's: records in at the head, out at the tail, and the tail's
// busy/idle/backpressured time (a chain ending in a sink is busy while the sink works, as in Flink).
import { describe } from '../exec/describe.js';
import { maxParallelismOf } from '../exec/key-groups.js';
import type { JobRecord } from '../cluster/job-record.js';
import type { JobManager } from '../cluster/jobmanager.js';
import type { OperatorReport } from '../cluster/protocol.js';
import { jobVertices, type JobVertex } from './job-graph.js';
import { metricName, type MetricValues } from './metric-shapes.js';

export const EXECUTION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/** Flink's "no watermark yet": Long.MIN_VALUE. */
export const NO_WATERMARK = '-9223372036854775808';

/** The state of the job's subtasks, as Flink's ExecutionState. */
export function executionState(job: JobRecord): ExecutionState {
  switch (job.state) {
    case 'FINISHED': return 'FINISHED';
    case 'CANCELED': return 'CANCELED';
    case 'FAILED': return 'FAILED';
    case 'CANCELLING': return job.taskState ? 'CANCELING' : 'CANCELED';
    default:
      if (job.taskState === 'DEPLOYING') return 'DEPLOYING';
      if (job.taskState === 'RUNNING') return 'RUNNING';
      // Waiting for slots is Flink's SCHEDULED (slots requested, not yet assigned).
      if (job.waitingForResources) return 'SCHEDULED';
      return job.taskManager && job.taskState ? 'SCHEDULED' : 'CREATED';
  }
}

/** Subtasks per vertex: every vertex runs at the job's parallelism (an aggregate without keys in subtask 0 only). */
export function vertexParallelism(job: JobRecord, _v: JobVertex): number {
  return job.parallelism;
}

export const subtaskIndexes = (job: JobRecord, v: JobVertex) => Array.from({ length: vertexParallelism(job, v) }, (_, i) => i);

/** The operator reports of one subtask of the job: at parallelism 1 the task's, else the subtask's own. */
function subtaskReports(job: JobRecord, subtask: number): OperatorReport[] {
  if (job.parallelism === 1) return subtask === 0 ? job.operators : [];
  return job.subtaskOperators[subtask] ?? [];
}

/** The taskmanager running subtask `i` (its own when the job is spread over several). */
function taskManagerOf(job: JobRecord, i: number): string | null {
  return job.placements.find((p) => p.subtasks.includes(i))?.taskManager ?? job.taskManager;
}

/**
 * Calcs fused into an aggregate's ingest run inside the aggregate and have no counters of their own (the
 * aggregate counts the rows it ingests); every other operator counts what it receives and emits.
 */
function uncounted(plan: JobRecord['plan']): Set<string> {
  const ids = new Set<string>();
  for (const n of plan.nodes) if (n.kind === 'fused' && n.accumulateInto) for (const c of n.calcs) ids.add(c.id);
  return ids;
}

/** A chain's reports: records in where it starts, out where it ends (its last operator with counters). */
export function chainReports(job: JobRecord, v: JobVertex, subtask: number) {
  const reports = subtaskReports(job, subtask);
  const skip = uncounted(job.plan);
  const of = (id: string) => reports.find((o) => o.id === id);
  const counted = v.nodes.filter((n) => !skip.has(n.id));
  const last = counted[counted.length - 1] ?? v.nodes[v.nodes.length - 1];
  const tail = of(v.nodes[v.nodes.length - 1].id);
  const out = of(last.id);
  return {
    head: of(v.nodes[0].id),
    // Figures of time from the chain's end (where a sink's waiting shows), records from its last counter.
    tail: tail && out ? { ...tail, recordsOut: out.recordsOut } : tail,
    all: v.nodes.map((n) => (skip.has(n.id) ? undefined : of(n.id))),
  };
}

function ioMetrics(head: OperatorReport | undefined, tail: OperatorReport | undefined) {
  return {
    'read-bytes': 0, 'read-bytes-complete': true, 'write-bytes': 0, 'write-bytes-complete': true,
    'read-records': head?.recordsIn ?? 0, 'read-records-complete': true,
    'write-records': tail?.recordsOut ?? 0, 'write-records-complete': true,
    'accumulated-backpressured-time': tail?.accumulatedBackPressuredTime ?? 0,
    'accumulated-idle-time': tail?.accumulatedIdleTime ?? 0,
    'accumulated-busy-time': tail?.accumulatedBusyTime ?? 0,
  };
}

const sumIo = (ms: ReturnType<typeof ioMetrics>[]) => {
  const out = ioMetrics(undefined, undefined);
  for (const m of ms) {
    for (const k of ['read-records', 'write-records', 'accumulated-backpressured-time', 'accumulated-idle-time', 'accumulated-busy-time'] as const) out[k] += m[k];
  }
  return out;
};

function times(job: JobRecord, now: number) {
  const start = job.timestamps.RUNNING ?? -1;
  return { 'start-time': start, 'end-time': job.endTime, duration: start >= 0 ? (job.endTime >= 0 ? job.endTime : now) - start : -1 };
}

/** When the subtask entered each execution state (0: not yet), from the job's state timestamps. */
function stateTimestamps(job: JobRecord): Record<ExecutionState, number> {
  const t = job.timestamps;
  const at = (v: number | undefined) => v ?? 0;
  return {
    CREATED: at(t.CREATED), SCHEDULED: 0, DEPLOYING: 0, RUNNING: at(t.RUNNING), FINISHED: at(t.FINISHED),
    CANCELING: at(t.CANCELLING), CANCELED: at(t.CANCELED), FAILED: at(t.FAILED), RECONCILING: 0, INITIALIZING: at(t.INITIALIZING),
  };
}

function hostOf(jm: JobManager, job: JobRecord, i: number): string {
  const tm = taskManagerOf(job, i);
  return (tm && jm.taskManagers.get(tm)?.info.host) || '(unassigned)';
}

/** A vertex in /jobs/:jobid (JobDetailsVertexInfo). */
export function vertexSummary(job: JobRecord, v: JobVertex, now: number) {
  const state = executionState(job);
  const p = vertexParallelism(job, v);
  return {
    id: v.id,
    name: v.name,
    maxParallelism: maxParallelismOf(job.plan.config),
    parallelism: p,
    status: state,
    ...times(job, now),
    tasks: Object.fromEntries(EXECUTION_STATES.map((s) => [s, s === state ? p : 0])),
    metrics: sumIo(subtaskIndexes(job, v).map((i) => { const c = chainReports(job, v, i); return ioMetrics(c.head, c.tail); })),
  };
}

/** The `plan` of /jobs/:jobid and /jobs/:jobid/plan: the job graph's vertices with their input edges. */
export function jobPlan(job: { id: string; name: string; plan: JobRecord['plan'] }, parallelism: (v: JobVertex) => number) {
  return {
    jid: job.id,
    name: job.name,
    type: 'STREAMING',
    nodes: jobVertices(job.plan).map((v) => ({
      id: v.id,
      parallelism: parallelism(v),
      operator: '',
      operator_strategy: '',
      description: v.name,
      inputs: v.inputs.map((e, num) => ({ num, id: e.id, ship_strategy: e.ship, exchange: 'pipelined_bounded' })),
      optimizer_properties: {},
    })),
  };
}

function subtaskDetails(jm: JobManager, job: JobRecord, v: JobVertex, i: number, now: number) {
  const c = chainReports(job, v, i);
  const ts = stateTimestamps(job);
  const state = executionState(job);
  const statusDuration = Object.fromEntries(EXECUTION_STATES.map((s) => [s, s === state && ts[s] ? now - ts[s] : 0]));
  return {
    subtask: i,
    status: state,
    attempt: Math.max(0, job.attempt - 1),
    endpoint: hostOf(jm, job, i),
    host: hostOf(jm, job, i),
    ...times(job, now),
    metrics: ioMetrics(c.head, c.tail),
    'taskmanager-id': taskManagerOf(job, i) ?? '(unassigned)',
    'status-duration': statusDuration,
  };
}

/** GET /jobs/:jobid/vertices/:vertexid (JobVertexDetailsInfo). */
export function vertexDetails(jm: JobManager, job: JobRecord, v: JobVertex) {
  const now = Date.now();
  return {
    id: v.id,
    name: v.name,
    maxParallelism: maxParallelismOf(job.plan.config),
    parallelism: vertexParallelism(job, v),
    now,
    subtasks: subtaskIndexes(job, v).map((i) => subtaskDetails(jm, job, v, i, now)),
  };
}

/** One subtask's metrics under Flink's task metric names, plus each chained operator's record counts. */
export function subtaskMetricValues(job: JobRecord, v: JobVertex, i: number): MetricValues {
  const c = chainReports(job, v, i);
  const values: MetricValues = {
    numRecordsIn: c.head?.recordsIn ?? 0,
    numRecordsOut: c.tail?.recordsOut ?? 0,
    busyTimeMsPerSecond: c.tail?.busyTimeMsPerSecond ?? 0,
    idleTimeMsPerSecond: c.tail?.idleTimeMsPerSecond ?? 0,
    backPressuredTimeMsPerSecond: c.tail?.backPressuredTimeMsPerSecond ?? 0,
    accumulatedBusyTime: c.tail?.accumulatedBusyTime ?? 0,
    accumulatedIdleTime: c.tail?.accumulatedIdleTime ?? 0,
    accumulatedBackPressuredTime: c.tail?.accumulatedBackPressuredTime ?? 0,
  };
  if (c.head?.watermark !== undefined) values.currentInputWatermark = c.head.watermark;
  v.nodes.forEach((n, k) => {
    const r = c.all[k];
    if (!r) return;
    const name = metricName(describe(n));
    values[`${name}.numRecordsIn`] = r.recordsIn;
    values[`${name}.numRecordsOut`] = r.recordsOut;
    values[`${name}.numLateRecordsDropped`] = r.lateRecordsDropped;
    if (r.watermark !== undefined) values[`${name}.currentInputWatermark`] = r.watermark;
  });
  return values;
}

/** GET /jobs/:jobid/vertices/:vertexid/metrics: each subtask's metrics prefixed with its index ("0.numRecordsIn"). */
export function vertexMetricValues(job: JobRecord, v: JobVertex): MetricValues {
  const out: MetricValues = {};
  for (const i of subtaskIndexes(job, v)) for (const [k, x] of Object.entries(subtaskMetricValues(job, v, i))) out[`${i}.${k}`] = x;
  return out;
}

export function subtaskSamples(job: JobRecord, v: JobVertex): MetricValues[] {
  return subtaskIndexes(job, v).map((i) => subtaskMetricValues(job, v, i));
}

/** GET /jobs/:jobid/vertices/:vertexid/watermarks: each subtask's input watermark (Long.MIN_VALUE before the first). */
export function watermarks(job: JobRecord, v: JobVertex) {
  return subtaskIndexes(job, v).map((i) => {
    const w = chainReports(job, v, i).head?.watermark;
    return { id: `${i}.currentInputWatermark`, value: w === undefined ? NO_WATERMARK : String(w) };
  });
}

/** GET /jobs/:jobid/vertices/:vertexid/subtasktimes (SubtasksTimesInfo). */
export function subtaskTimes(jm: JobManager, job: JobRecord, v: JobVertex) {
  const now = Date.now();
  return {
    id: v.id,
    name: v.name,
    now,
    subtasks: subtaskIndexes(job, v).map((i) => ({
      subtask: i,
      host: hostOf(jm, job, i),
      endpoint: hostOf(jm, job, i),
      duration: times(job, now).duration,
      timestamps: stateTimestamps(job),
    })),
  };
}

/** GET /jobs/:jobid/vertices/:vertexid/taskmanagers (JobVertexTaskManagersInfo): subtasks grouped by taskmanager. */
export function vertexTaskManagers(jm: JobManager, job: JobRecord, v: JobVertex) {
  const now = Date.now();
  const state = executionState(job);
  const byTm = new Map<string, number[]>();
  for (const i of subtaskIndexes(job, v)) {
    const tm = taskManagerOf(job, i) ?? '(unassigned)';
    byTm.set(tm, [...(byTm.get(tm) ?? []), i]);
  }
  return {
    id: v.id,
    name: v.name,
    now,
    taskmanagers: [...byTm].map(([tm, subtasks]) => ({
      endpoint: hostOf(jm, job, subtasks[0]),
      host: hostOf(jm, job, subtasks[0]),
      'taskmanager-id': tm,
      status: state,
      ...times(job, now),
      metrics: sumIo(subtasks.map((i) => { const c = chainReports(job, v, i); return ioMetrics(c.head, c.tail); })),
      'status-counts': Object.fromEntries(EXECUTION_STATES.map((s) => [s, s === state ? subtasks.length : 0])),
    })),
  };
}

/** Flink's levels from the share of each second spent backpressured: ok ≤ 10 %, low ≤ 50 %, high above. */
export function backpressureLevel(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}

/** GET /jobs/:jobid/vertices/:vertexid/backpressure (JobVertexBackPressureInfo). */
export function backpressure(job: JobRecord, v: JobVertex) {
  if (job.terminal || job.operators.length === 0) return { status: 'deprecated' };
  const subtasks = subtaskIndexes(job, v).map((i) => {
    const tail = chainReports(job, v, i).tail;
    const ratio = (tail?.backPressuredTimeMsPerSecond ?? 0) / 1000;
    return {
      subtask: i,
      'attempt-number': Math.max(0, job.attempt - 1),
      'backpressure-level': backpressureLevel(ratio),
      ratio,
      idleRatio: (tail?.idleTimeMsPerSecond ?? 0) / 1000,
      busyRatio: (tail?.busyTimeMsPerSecond ?? 0) / 1000,
    };
  });
  const worst = Math.max(0, ...subtasks.map((s) => s.ratio));
  return { status: 'ok', 'backpressure-level': backpressureLevel(worst), 'end-timestamp': Date.now(), subtasks };
}
