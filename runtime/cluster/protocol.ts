// What the jobmanager and its taskmanagers say to each other, over the jobmanager's HTTP server (loopback,
// under /internal/, with the cluster secret, and the REST token when one is set). The taskmanager is always the client, so it needs
// no port of its own and a kill -9 leaves nothing to clean up:
//   POST /internal/taskmanagers                      register → id, heartbeat settings
//   POST /internal/taskmanagers/:id/heartbeat        task reports in; commands out (long poll: answered
//                                                    at once when commands wait, else after one interval)
//   POST /internal/taskmanagers/:id/events           one event (task state, checkpoint, savepoint) → accepted?
//   DELETE /internal/taskmanagers/:id                a taskmanager shutting down
// A 404 on heartbeat or events means the jobmanager no longer knows this taskmanager (it timed out, or the
// jobmanager restarted): the taskmanager cancels its tasks and registers again.
import { z } from 'zod';
import { OUTPUT_SAMPLE_ROWS, OUTPUT_SAMPLE_TEXT } from '../core/output-sample.js';
import type { JobPlan } from '../core/plan.js';
import type { TransportSpec } from '../exec/parallel/kafka-transport.js';
import { checkpointInfoSchema, type CheckpointInfo } from '../state/checkpoint-storage.js';
import type { ProcessReport } from './process-metrics.js';

export type TaskState = 'DEPLOYING' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'FAILED';

export interface ErrorInfo {
  /** Error class name (UserError, ExternalError, ...). */
  name: string;
  message: string;
  stack?: string;
  hint?: string;
}

export function errorInfo(e: unknown): ErrorInfo {
  const err = e instanceof Error ? e : new Error(String(e));
  const hint = (err as { hint?: string }).hint;
  return { name: err.name, message: err.message, stack: err.stack, ...(hint ? { hint } : {}) };
}

export interface OperatorReport {
  id: string;
  name: string;
  recordsIn: number;
  recordsOut: number;
  lateRecordsDropped: number;
  badRecordsSkipped: number;
  /** Records a source could not read and the table accepted to lose (scan.offset-out-of-range). */
  recordsLost?: number;
  /** Problems since the last report that did not fail the job, for its exceptions history (an accepted loss). */
  incidents?: { name: string; message: string }[];
  /** A sink's rows written since the last report (its newest OUTPUT_SAMPLE_ROWS at most), as changelog text. */
  outputSample?: string[];
  busyTimeMsPerSecond: number;
  idleTimeMsPerSecond: number;
  backPressuredTimeMsPerSecond: number;
  accumulatedBusyTime: number;
  accumulatedIdleTime: number;
  accumulatedBackPressuredTime: number;
  /** The operator's current input watermark (ms), absent before the first one. */
  watermark?: number;
  /** A source's records not read yet (Kafka: the consumer lag). */
  pendingRecords?: number;
}

export interface TaskReport {
  jobId: string;
  attempt: number;
  state: TaskState;
  operators: OperatorReport[];
  /** At parallelism > 1, the coordinating task's figures per subtask (index i: subtask i), for REST's per-subtask views. */
  subtasks?: OperatorReport[][];
}

export interface RegisterRequest {
  pid: number;
  host: string;
  slots: number;
  /** The taskmanager-<index>.pid slot of a daemon started by the CLI; null when started otherwise. */
  index: number | null;
  logFile: string | null;
}

export interface RegisterResponse {
  id: string;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
}

export interface DeployCommand {
  type: 'deploy';
  jobId: string;
  attempt: number;
  /** The job's own copy of the bundle (same host). */
  bundle: string;
  /** The plan with run-time overrides applied; ids as compiled. */
  plan: JobPlan;
  /** Cluster configuration with the job's on top. */
  config: Record<string, string>;
  /** Checkpoint or savepoint to restore from. */
  restore: string | null;
  allowNonRestoredState: boolean;
  checkpoints: { dir: string; intervalMs: number; nextId: number };
  /** Parallel subtasks (threads of this task, exec/parallel/); absent: 1. */
  parallelism?: number;
  /**
   * The job's subtasks are spread over taskmanagers: the ones this taskmanager runs (the one with subtask 0
   * coordinates the job: checkpoints, savepoints, its state), and how they reach the others (Kafka, with the
   * attempt's epoch). Absent: all of them run here.
   */
  subtasks?: number[];
  exchange?: TransportSpec;
}

export interface CancelCommand {
  type: 'cancel';
  jobId: string;
  attempt: number;
}

export interface SavepointCommand {
  type: 'savepoint';
  jobId: string;
  attempt: number;
  triggerId: string;
  targetDirectory: string;
  /** continue: a savepoint only; cancel: cancel-job; stop: stop-with-savepoint (the job finishes). */
  then: 'continue' | 'cancel' | 'stop';
  drain: boolean;
}

export type Command = DeployCommand | CancelCommand | SavepointCommand;

export type TaskEvent =
  | { type: 'state'; jobId: string; attempt: number; state: TaskState; error?: ErrorInfo }
  /** A checkpoint's state is written (chk-<info.id> of the job's checkpoint directory, with that SHA-256). */
  | { type: 'checkpoint'; jobId: string; attempt: number; info: CheckpointInfo; sha256: string; endToEndMs: number }
  /** The sinks committed the output of an accepted checkpoint: the checkpoints before it are no longer needed for a fallback. */
  | { type: 'checkpoint-committed'; jobId: string; attempt: number; id: number }
  | { type: 'checkpoint-failed'; jobId: string; attempt: number; id: number; error: ErrorInfo }
  | { type: 'savepoint'; jobId: string; attempt: number; triggerId: string; path?: string; info?: CheckpointInfo; endToEndMs?: number; error?: ErrorInfo };

// Schemas for what arrives at the jobmanager: the shape is checked, the plan inside is the jobmanager's own.
const hex32 = z.string().regex(/^[0-9a-f]{32}$/);
const errorSchema = z.object({ name: z.string(), message: z.string(), stack: z.string().optional(), hint: z.string().optional() });
const taskState = z.enum(['DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELED', 'FAILED']);

export const registerSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  slots: z.number().int().min(1).max(1024),
  index: z.number().int().nullable(),
  logFile: z.string().nullable(),
});

const operatorSchema = z.object({
  id: z.string(), name: z.string(), recordsIn: z.number(), recordsOut: z.number(), lateRecordsDropped: z.number(), badRecordsSkipped: z.number(),
  recordsLost: z.number().optional(), incidents: z.array(z.object({ name: z.string(), message: z.string() })).optional(),
  outputSample: z.array(z.string().max(OUTPUT_SAMPLE_TEXT)).max(OUTPUT_SAMPLE_ROWS).optional(),
  busyTimeMsPerSecond: z.number(), idleTimeMsPerSecond: z.number(), backPressuredTimeMsPerSecond: z.number(),
  accumulatedBusyTime: z.number(), accumulatedIdleTime: z.number(), accumulatedBackPressuredTime: z.number(),
  watermark: z.number().optional(),
  pendingRecords: z.number().optional(),
});
const processSchema = z.object({
  pid: z.number(), uptimeMs: z.number(), heapUsed: z.number(), heapTotal: z.number(), heapLimit: z.number(), external: z.number(),
  rss: z.number(), cpuUserMs: z.number(), cpuSystemMs: z.number(), cpuLoad: z.number(),
  eventLoopDelayMeanMs: z.number(), eventLoopDelayMaxMs: z.number(), eventLoopDelayP99Ms: z.number(),
}) satisfies z.ZodType<ProcessReport>;

export const heartbeatSchema = z.object({
  tasks: z.array(z.object({ jobId: hex32, attempt: z.number().int(), state: taskState, operators: z.array(operatorSchema), subtasks: z.array(z.array(operatorSchema)).optional() })),
  /** The taskmanager process's own figures (heap, CPU, event loop), for its metrics. */
  process: processSchema.optional(),
});

export const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), jobId: hex32, attempt: z.number().int(), state: taskState, error: errorSchema.optional() }),
  z.object({ type: z.literal('checkpoint'), jobId: hex32, attempt: z.number().int(), info: checkpointInfoSchema, sha256: z.string().regex(/^[0-9a-f]{64}$/), endToEndMs: z.number() }),
  z.object({ type: z.literal('checkpoint-committed'), jobId: hex32, attempt: z.number().int(), id: z.number().int() }),
  z.object({ type: z.literal('checkpoint-failed'), jobId: hex32, attempt: z.number().int(), id: z.number().int(), error: errorSchema }),
  z.object({
    type: z.literal('savepoint'), jobId: hex32, attempt: z.number().int(), triggerId: hex32,
    path: z.string().optional(), info: z.optional(checkpointInfoSchema), endToEndMs: z.number().optional(), error: errorSchema.optional(),
  }),
]);
