// The jobmanager's state in the JSON shapes of Flink's REST API (field names, nesting, -1 for "not yet"),
// so tools and habits built for Flink read sluice too: jobs, checkpoints, savepoints, exceptions, the
// cluster. A job's vertices are chains of its plan's operators (job-graph.ts, vertex-shapes.ts).
import { JOB_STATES, type JobRecord, type SavepointOperation } from '../cluster/job-record.js';
import type { JobManager } from '../cluster/jobmanager.js';
import { jobVertices } from './job-graph.js';
import { EXECUTION_STATES, executionState, jobPlan, vertexParallelism, vertexSummary } from './vertex-shapes.js';
import { durationOption, intOption } from '../core/options.js';
import { notFound } from '../cluster/errors.js';
import { publicConfig } from '../cluster/config.js';

export const VERSION = '0.1.0';
/** The Flink release whose REST API and CLI sluice answers: what /overview and /config report as flink-version. */
export const FLINK_VERSION = '2.3.0';

/** Subtasks per execution state (Flink's JobDetails counts executions, not vertices). */
function taskCounts(job: JobRecord): Record<string, number> {
  const total = jobVertices(job.plan).reduce((n, v) => n + vertexParallelism(job, v), 0);
  const counts: Record<string, number> = { total };
  for (const s of EXECUTION_STATES) counts[s.toLowerCase()] = 0;
  counts[executionState(job).toLowerCase()] = total;
  return counts;
}

/**
 * A sluice extension on the job's overview and details while its next attempt waits for slots: why, since
 * when and when slot.request.timeout fails it (Flink shows only the job's state and SCHEDULED subtasks).
 */
function waiting(job: JobRecord) {
  const w = job.waitingForResources;
  return w ? { 'waiting-for-resources': { reason: w.reason, since: w.since, 'timeout-at': w.deadline, 'slots-needed': job.parallelism } } : {};
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
    // Flink's client reads these too (an int it cannot find fails `flink list`).
    jobType: 'STREAMING',
    'pending-operators': 0,
    ...waiting(job),
  };
}

export function jobDetails(job: JobRecord) {
  const now = Date.now();
  const vertices = jobVertices(job.plan);
  const timestamps: Record<string, number> = {};
  for (const s of JOB_STATES) timestamps[s] = job.timestamps[s] ?? 0;
  const statusCounts: Record<string, number> = {};
  for (const s of EXECUTION_STATES) statusCounts[s] = 0;
  statusCounts[executionState(job)] = vertices.length;
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
    vertices: vertices.map((v) => vertexSummary(job, v, now)),
    'status-counts': statusCounts,
    plan: jobPlan(job, (v) => vertexParallelism(job, v)),
    ...waiting(job),
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
    // Flink's blocklist (taskmanagers excluded from scheduling) has no counterpart: none are ever blocked.
    'slots-free-and-blocked': 0,
    'taskmanagers-blocked': 0,
    'jobs-running': jobs.filter((j) => !j.terminal).length,
    'jobs-finished': count('FINISHED'),
    'jobs-cancelled': count('CANCELED'),
    'jobs-failed': count('FAILED'),
    'flink-version': FLINK_VERSION,
    'flink-commit': '',
    'sluice-version': VERSION,
  };
}

/** Flink's job metrics: without ?get the ids, with ?get=a,b their values (as strings, as Flink sends them). */
export function jobMetricValues(job: JobRecord): Record<string, number> {
  const kind = new Map(job.plan.nodes.map((n) => [n.id, n.kind]));
  const sum = (k: 'recordsIn' | 'recordsOut' | 'lateRecordsDropped' | 'badRecordsSkipped' | 'recordsLost', only?: string) =>
    job.operators.reduce((s, o) => s + (only === undefined || kind.get(o.id) === only ? o[k] ?? 0 : 0), 0);
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
    // Records the sources accepted to lose (Kafka offsets deleted before they were read, scan.offset-out-of-range).
    numRecordsLost: sum('recordsLost'),
  };
}

/** GET /jobs/:jobid/checkpoints/config (CheckpointConfigInfo); 404 when the job takes no checkpoints, as Flink answers. */
export function checkpointConfig(job: JobRecord) {
  if (job.checkpointIntervalMs <= 0) throw notFound(`Checkpointing is not enabled for job ${job.id} (set execution.checkpointing.interval)`);
  const c = job.config;
  const retention = c['execution.checkpointing.externalized-checkpoint-retention'] ?? 'RETAIN_ON_CANCELLATION';
  return {
    mode: (c['execution.checkpointing.mode'] ?? 'EXACTLY_ONCE').toUpperCase(),
    interval: job.checkpointIntervalMs,
    timeout: durationOption(c, 'execution.checkpointing.timeout', 600_000),
    min_pause: durationOption(c, 'execution.checkpointing.min-pause', 0),
    max_concurrent: 1,
    externalization: { enabled: retention !== 'NO_EXTERNALIZED_CHECKPOINTS', delete_on_cancellation: retention === 'DELETE_ON_CANCELLATION' },
    state_backend: 'HashMapStateBackend',
    checkpoint_storage: 'FileSystemCheckpointStorage',
    unaligned_checkpoints: false,
    tolerable_failed_checkpoints: intOption(c, 'execution.checkpointing.tolerable-failed-checkpoints', 0, 0),
    aligned_checkpoint_timeout: 0,
    checkpoints_after_tasks_finish: true,
    state_changelog_enabled: false,
    changelog_periodic_materialization_interval: 600_000,
    changelog_storage: 'memory',
  };
}

/** GET /jobs/:jobid/checkpoints/details/:checkpointid: one entry of the checkpoint history. */
export function checkpointDetails(job: JobRecord, id: number) {
  const stat = job.checkpoints.history.find((s) => s.id === id);
  if (!stat) throw notFound(`Could not find checkpointing statistics for checkpoint ${id} of job ${job.id} (the history keeps the last web.checkpoints.history)`);
  return checkpointStat(stat);
}

/** GET /jobs/:jobid/config, as Flink serializes JobConfigInfo: the job's own configuration as user-config. */
export function jobConfig(job: JobRecord) {
  return {
    jid: job.id,
    name: job.name,
    'execution-config': {
      'execution-mode': 'PIPELINED',
      'restart-strategy': job.strategy.description,
      'job-parallelism': Math.max(1, ...jobVertices(job.plan).map((v) => vertexParallelism(job, v))),
      'object-reuse-mode': false,
      'user-config': publicConfig(job.plan.config),
    },
  };
}

/** GET /jobs/:jobid/execution-result: IN_PROGRESS until the job terminates, then its JobResult. */
export function executionResult(job: JobRecord) {
  if (!job.terminal) return { status: { id: 'IN_PROGRESS' } };
  const status = job.state === 'FINISHED' ? 'SUCCEEDED' : job.state === 'CANCELED' ? 'CANCELED' : 'FAILED';
  const root = job.exceptions[0];
  return {
    status: { id: 'COMPLETED' },
    'job-execution-result': {
      id: job.id,
      'application-status': status,
      'accumulator-results': {},
      'net-runtime': job.duration,
      ...(status === 'FAILED' && root ? { 'failure-cause': { class: root.exceptionName, 'stack-trace': root.stacktrace, 'serialized-throwable': null } } : {}),
    },
  };
}
