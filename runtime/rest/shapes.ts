// The jobmanager's state in the JSON shapes of Flink's REST API (field names, nesting, -1 for "not yet"),
// so tools and habits built for Flink read sluice too. A job's vertices are its plan's operators, each
// with one subtask (a job runs as one task).
import { inputsOf } from '../core/plan.js';
import { describe } from '../exec/job-runner.js';
import { JOB_STATES, type JobRecord, type SavepointOperation } from '../cluster/job-record.js';
import type { JobManager } from '../cluster/jobmanager.js';
import type { OperatorReport } from '../cluster/protocol.js';
import { cpus, freemem, totalmem } from 'node:os';

export const VERSION = '0.1.0';

const EXECUTION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'] as const;
type ExecutionState = (typeof EXECUTION_STATES)[number];

/** The state of the job's task(s), as Flink's ExecutionState. */
export function executionState(job: JobRecord): ExecutionState {
  switch (job.state) {
    case 'FINISHED': return 'FINISHED';
    case 'CANCELED': return 'CANCELED';
    case 'FAILED': return 'FAILED';
    case 'CANCELLING': return job.taskState ? 'CANCELING' : 'CANCELED';
    default:
      if (job.taskState === 'DEPLOYING') return 'DEPLOYING';
      if (job.taskState === 'RUNNING') return 'RUNNING';
      return job.taskManager && job.taskState ? 'SCHEDULED' : 'CREATED';
  }
}

function taskCounts(job: JobRecord): Record<string, number> {
  const counts: Record<string, number> = { total: job.plan.nodes.length };
  for (const s of EXECUTION_STATES) counts[s.toLowerCase()] = 0;
  counts[executionState(job).toLowerCase()] = job.plan.nodes.length;
  return counts;
}

export function jobOverview(job: JobRecord) {
  return {
    jid: job.id,
    name: job.name,
    state: job.state,
    'start-time': job.startTime,
    'end-time': job.endTime,
    duration: job.duration,
    'last-modification': job.lastModification,
    tasks: taskCounts(job),
  };
}

function operatorReport(job: JobRecord, id: string): OperatorReport | undefined {
  return job.operators.find((o) => o.id === id);
}

export function jobDetails(job: JobRecord) {
  const now = Date.now();
  const state = executionState(job);
  const timestamps: Record<string, number> = {};
  for (const s of JOB_STATES) timestamps[s] = job.timestamps[s] ?? 0;
  const statusCounts: Record<string, number> = {};
  for (const s of EXECUTION_STATES) statusCounts[s] = 0;
  statusCounts[state] = job.plan.nodes.length;
  return {
    jid: job.id,
    name: job.name,
    isStoppable: false,
    state: job.state,
    'job-type': 'STREAMING',
    'start-time': job.startTime,
    'end-time': job.endTime,
    duration: job.duration,
    maxParallelism: -1,
    now,
    timestamps,
    vertices: job.plan.nodes.map((n) => {
      const m = operatorReport(job, n.id);
      return {
        id: n.id,
        name: describe(n),
        maxParallelism: 1,
        parallelism: 1,
        status: state,
        'start-time': job.timestamps.RUNNING ?? -1,
        'end-time': job.endTime,
        duration: job.timestamps.RUNNING ? (job.endTime >= 0 ? job.endTime : now) - job.timestamps.RUNNING : -1,
        tasks: Object.fromEntries(EXECUTION_STATES.map((s) => [s, s === state ? 1 : 0])),
        metrics: {
          'read-bytes': 0, 'read-bytes-complete': true, 'write-bytes': 0, 'write-bytes-complete': true,
          'read-records': m?.recordsIn ?? 0, 'read-records-complete': true,
          'write-records': m?.recordsOut ?? 0, 'write-records-complete': true,
          'accumulated-backpressured-time': m?.accumulatedBackPressuredTime ?? 0,
          'accumulated-idle-time': m?.accumulatedIdleTime ?? 0,
          'accumulated-busy-time': m?.accumulatedBusyTime ?? 0,
        },
      };
    }),
    'status-counts': statusCounts,
    plan: {
      jid: job.id,
      name: job.name,
      type: 'STREAMING',
      nodes: job.plan.nodes.map((n) => ({
        id: n.id,
        parallelism: 1,
        operator: '',
        operator_strategy: '',
        description: describe(n),
        inputs: inputsOf(n).map((id, num) => ({ num, id, ship_strategy: 'FORWARD', exchange: 'pipelined_bounded' })),
        optimizer_properties: {},
      })),
    },
  };
}

function checkpointStat(s: JobRecord['checkpoints']['history'][number]) {
  return {
    className: s.status === 'COMPLETED' ? '.CompletedCheckpointStatistics' : '.FailedCheckpointStatistics',
    id: s.id,
    status: s.status,
    is_savepoint: s.isSavepoint,
    savepointFormat: s.isSavepoint ? 'CANONICAL' : null,
    trigger_timestamp: s.triggerTimestamp,
    latest_ack_timestamp: s.latestAckTimestamp,
    checkpointed_size: s.size,
    state_size: s.size,
    end_to_end_duration: s.endToEndDuration,
    alignment_buffered: 0,
    processed_data: 0,
    persisted_data: 0,
    num_subtasks: 1,
    num_acknowledged_subtasks: s.status === 'COMPLETED' ? 1 : 0,
    checkpoint_type: s.isSavepoint ? 'SAVEPOINT' : 'CHECKPOINT',
    tasks: {},
    ...(s.status === 'COMPLETED' ? { external_path: s.externalPath, discarded: s.discarded } : { failure_timestamp: s.latestAckTimestamp, failure_message: s.failureMessage }),
  };
}

function summary(values: number[]) {
  if (values.length === 0) return { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { min: sorted[0], max: sorted[sorted.length - 1], avg: Math.round(values.reduce((a, b) => a + b, 0) / values.length), p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), p999: q(0.999) };
}

export function checkpointing(job: JobRecord) {
  const c = job.checkpoints;
  const completed = c.history.filter((s) => s.status === 'COMPLETED');
  return {
    counts: c.counts,
    summary: {
      checkpointed_size: summary(completed.map((s) => s.size)),
      state_size: summary(completed.map((s) => s.size)),
      end_to_end_duration: summary(completed.map((s) => s.endToEndDuration)),
      alignment_buffered: summary([]),
      processed_data: summary([]),
      persisted_data: summary([]),
    },
    latest: {
      completed: c.latestCompleted && checkpointStat(c.latestCompleted),
      savepoint: c.latestSavepoint && checkpointStat(c.latestSavepoint),
      failed: c.latestFailed && checkpointStat(c.latestFailed),
      restored: c.restored && { id: c.restored.id, restore_timestamp: c.restored.restoreTimestamp, is_savepoint: c.restored.isSavepoint, external_path: c.restored.externalPath },
    },
    history: c.history.map(checkpointStat),
  };
}

export function exceptions(job: JobRecord, maxExceptions: number) {
  const entries = job.exceptions.slice(0, maxExceptions).map((e) => ({
    exceptionName: e.exceptionName,
    stacktrace: e.stacktrace,
    timestamp: e.timestamp,
    taskName: e.taskName,
    endpoint: null,
    taskManagerId: e.taskManagerId,
    failureLabels: {},
    concurrentExceptions: [],
  }));
  const root = job.exceptions[0];
  return {
    'root-exception': root ? `${root.exceptionName}: ${root.message}` : null,
    timestamp: root ? root.timestamp : null,
    'all-exceptions': [],
    truncated: job.exceptions.length > maxExceptions,
    exceptionHistory: { entries, truncated: job.exceptions.length > maxExceptions },
  };
}

/** Flink's levels from the share of each second spent backpressured: ok ≤ 10 %, low ≤ 50 %, high above. */
export function backpressureLevel(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}

export function backpressure(job: JobRecord, vertexId: string) {
  const m = operatorReport(job, vertexId);
  if (!m || job.terminal) return { status: 'deprecated' };
  const ratio = m.backPressuredTimeMsPerSecond / 1000;
  return {
    status: 'ok',
    'backpressure-level': backpressureLevel(ratio),
    'end-timestamp': Date.now(),
    subtasks: [{
      subtask: 0,
      'attempt-number': Math.max(0, job.attempt - 1),
      'backpressure-level': backpressureLevel(ratio),
      ratio,
      idleRatio: m.idleTimeMsPerSecond / 1000,
      busyRatio: m.busyTimeMsPerSecond / 1000,
    }],
  };
}

export function savepointStatus(op: SavepointOperation) {
  if (op.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' } };
  if (op.location) return { status: { id: 'COMPLETED' }, operation: { location: op.location } };
  const f = op.failure!;
  return {
    status: { id: 'COMPLETED' },
    operation: { 'failure-cause': { class: f.name, 'stack-trace': f.stack ?? `${f.name}: ${f.message}`, 'serialized-throwable': null, message: f.message } },
  };
}

export function overview(jm: JobManager) {
  const tms = [...jm.taskManagers.values()];
  const jobs = [...jm.jobs.values()];
  const count = (...states: string[]) => jobs.filter((j) => states.includes(j.state)).length;
  return {
    taskmanagers: tms.length,
    'slots-total': tms.reduce((s, t) => s + t.info.slots, 0),
    'slots-available': tms.reduce((s, t) => s + t.freeSlots, 0),
    'jobs-running': jobs.filter((j) => !j.terminal).length,
    'jobs-finished': count('FINISHED'),
    'jobs-cancelled': count('CANCELED'),
    'jobs-failed': count('FAILED'),
    'sluice-version': VERSION,
  };
}

export function taskManagers(jm: JobManager) {
  const cores = cpus().length;
  return {
    taskmanagers: [...jm.taskManagers.values()].map((t) => ({
      id: t.id,
      path: `pid ${t.info.pid} on ${t.info.host}`,
      dataPort: -1,
      jmxPort: -1,
      timeSinceLastHeartbeat: t.lastHeartbeat,
      slotsNumber: t.info.slots,
      freeSlots: t.freeSlots,
      totalResource: { cpuCores: cores, taskHeapMemory: 0, taskOffHeapMemory: 0, managedMemory: 0, networkMemory: 0, extendedResources: {} },
      freeResource: { cpuCores: cores, taskHeapMemory: 0, taskOffHeapMemory: 0, managedMemory: 0, networkMemory: 0, extendedResources: {} },
      hardware: { cpuCores: cores, physicalMemory: totalmem(), freeMemory: freemem(), managedMemory: 0 },
      pid: t.info.pid,
      host: t.info.host,
      logFile: t.info.logFile,
      tasks: [...t.tasks].map(([jobId, p]) => ({ jobId, attempt: p.attempt })),
    })),
  };
}

/** Flink's job metrics: without ?get the ids, with ?get=a,b their values (as strings, as Flink sends them). */
export function jobMetricValues(job: JobRecord): Record<string, number> {
  const kind = new Map(job.plan.nodes.map((n) => [n.id, n.kind]));
  const sum = (k: 'recordsIn' | 'recordsOut' | 'lateRecordsDropped' | 'badRecordsSkipped', only?: string) =>
    job.operators.reduce((s, o) => s + (only === undefined || kind.get(o.id) === only ? o[k] : 0), 0);
  const c = job.checkpoints;
  const running = job.state === 'RUNNING' && job.timestamps.RUNNING ? Date.now() - job.timestamps.RUNNING : 0;
  return {
    uptime: running,
    downtime: job.state === 'RESTARTING' && job.timestamps.RESTARTING ? Date.now() - job.timestamps.RESTARTING : 0,
    numRestarts: job.numRestarts,
    fullRestarts: job.numRestarts,
    totalNumberOfCheckpoints: c.counts.total,
    numberOfCompletedCheckpoints: c.counts.completed,
    numberOfFailedCheckpoints: c.counts.failed,
    numberOfInProgressCheckpoints: c.counts.in_progress,
    lastCheckpointDuration: c.latestCompleted?.endToEndDuration ?? -1,
    lastCheckpointSize: c.latestCompleted?.size ?? -1,
    lastCheckpointFullSize: c.latestCompleted?.size ?? -1,
    lastCheckpointRestoreTimestamp: c.lastRestoreTimestamp,
    // Records read by the sources and written by the sinks.
    numRecordsIn: sum('recordsOut', 'source'),
    numRecordsOut: sum('recordsIn', 'sink'),
    numLateRecordsDropped: sum('lateRecordsDropped'),
    numBadRecordsSkipped: sum('badRecordsSkipped'),
  };
}
