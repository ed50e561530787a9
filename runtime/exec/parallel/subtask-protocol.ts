// What the coordinator (parallel-runner.ts) and its subtask threads (subtask-thread.ts) say to each other. The two
// sides may come from different copies of the runtime (the CLI's or a taskmanager's, and the bundle's own), so
// the thread checks SUBTASK_PROTOCOL first: change it with any change to these messages or to SubtaskData.
import { UserError } from '../../core/errors.js';
import type { JobPlan } from '../../core/plan.js';
import type { JobSnapshot } from '../snapshot.js';
import type { ChainTimes } from '../source-pump.js';
import type { TransportSpec } from './kafka-transport.js';

/** What a subtask thread starts from (its workerData; `ports` are transferred). */
export interface SubtaskData {
  plan: JobPlan;
  /** The job's bundle: the thread imports it for the stage code and to register the job's UDFs. */
  bundle: string;
  unfused: boolean;
  index: number;
  parallelism: number;
  restore: JobSnapshot | null;
  commitOnStop: boolean;
  /** A MessagePort to every other subtask in this process, by index (null at its own and at those elsewhere). */
  ports: (import('node:worker_threads').MessagePort | null)[];
  /** Subtasks in other processes (no port) are reached through Kafka (kafka-transport.ts); null: all are here. */
  remote: TransportSpec | null;
  /** SUBTASK_PROTOCOL of the coordinator: marks the thread as a subtask (the bundle's main looks for it). */
  sluiceSubtask: number;
}

export const SUBTASK_PROTOCOL = 2;

export type ToSubtask =
  | { type: 'snapshot'; rid: number; id: number; drain: boolean }
  | { type: 'release'; id: number; stop: boolean }
  | { type: 'commit'; rid: number; part: JobSnapshot }
  /** Every subtask has started: sources may read. */
  | { type: 'go' }
  | { type: 'stop' }
  /** The coordinator greets the subtasks in other processes until each has answered `started` (kafka-transport.ts). */
  | { type: 'hello' }
  /** Every subtask is done: close the channels and let the thread end. */
  | { type: 'exit' };

export interface WireError { name: string; message: string; hint?: string; stack?: string }

export type FromSubtask =
  | { type: 'started' }
  | { type: 'reply'; rid: number; value?: JobSnapshot; error?: WireError }
  | { type: 'report'; report: SubtaskReport }
  | { type: 'done'; error?: WireError };

/** A subtask's figures, sent every REPORT_MS and at its end. */
export interface SubtaskReport {
  operators: { id: string; name: string; recordsIn: number; recordsOut: number; lateRecordsDropped: number; badRecordsSkipped: number; recordsLost: number; pendingRecords: number | null; incidents: { name: string; message: string }[] }[];
  times: [string, ChainTimes][];
  /** The last watermark per source, and the input watermark per exchange (by node id). */
  watermarks: [string, number][];
  /** Per sink id, the rows its output sample took since the last report (core/output-sample.ts), as text. */
  samples: [string, string[]][];
}

export const REPORT_MS = 500;

export function toWire(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e));
  const hint = (err as { hint?: string }).hint;
  return { name: err.name, message: err.message, stack: err.stack, ...(hint ? { hint } : {}) };
}

/** The error a subtask failed with, as its kind: a UserError stays one (its hint is shown). */
export function fromWire(w: WireError): Error {
  const e = w.name === 'UserError' ? new UserError(w.message, w.hint) : new Error(w.message);
  e.name = w.name;
  if (w.stack) e.stack = w.stack;
  return e;
}
