// Runs a job's logic again, in this process, over a streaming run's input: as a batch over the consumed
// range (what the sinks should hold), as a stream whose watermark advances after every record over the same
// range (which records a stream drops as late, which windows its watermark has not closed), and as a batch
// over the input the run had not consumed at its checkpoint (which results later input changes). Every sink
// is swapped for an in-memory collector; the job's own sinks are never written.
import type { CompiledBundle } from '../core/bundle.js';
import type { JobPlan, SinkNode } from '../core/plan.js';
import { RowKind, type Row } from '../core/row.js';
import { udfFunctions } from '../core/udf.js';
import * as functions from '../core/functions.js';
import { createLogger } from '../core/log.js';
import { collectBuffers } from '../connectors/collect/sink.js';
import { JobRunner } from '../exec/job-runner.js';
import { RUNTIME_MODE_KEY } from '../exec/runtime-mode.js';
import { valuesText } from './compare.js';

export interface ReplayRun {
  mode: 'batch' | 'streaming';
  /** New options per source node id (the range to read). */
  sources: Map<string, Record<string, string>>;
  /** Streaming: advance the watermark after every record. */
  perRecordWatermark?: boolean;
  /** Called every `progressIntervalMs` with the records read so far, and once more at the end (`done`). */
  progress?: (recordsRead: number, done: boolean) => void;
  /** Default 1000. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

/** Per sink node id: the rows it received (a batch: final inserts), and how many came before the end of input fired open windows. */
export interface ReplayOutput {
  rows: Map<string, Row[]>;
  beforeEnd: Map<string, number>;
  lateRecordsDropped: number;
}

let runs = 0;

export async function replay(job: CompiledBundle, plan: JobPlan, run: ReplayRun): Promise<ReplayOutput> {
  const prefix = `reconcile-${process.pid}-${++runs}`;
  const sinks = plan.nodes.filter((n): n is SinkNode => n.kind === 'sink');
  const changelogs = new Map<string, { kind: RowKind; row: Row }[]>();
  const buffers = collectBuffers();
  for (const s of sinks) {
    const list: { kind: RowKind; row: Row }[] = [];
    changelogs.set(s.id, list);
    buffers.set(`${prefix}-${s.id}`, { accept: (row, kind) => list.push({ kind, row }) });
  }
  const replayPlan: JobPlan = {
    ...plan,
    config: { ...plan.config, [RUNTIME_MODE_KEY]: run.mode },
    nodes: plan.nodes.map((n) => {
      if (n.kind === 'sink') return { ...n, connector: 'collect', options: { connector: 'collect', id: `${prefix}-${n.id}` } };
      if (n.kind === 'source' && run.sources.has(n.id)) return { ...n, options: run.sources.get(n.id)! };
      return n;
    }),
  };
  const beforeEnd = new Map<string, number>();
  const code = job.factory({ fn: functions }, udfFunctions(replayPlan.udfs));
  const runner = new JobRunner(replayPlan, {
    code, log: createLogger(`${plan.name} (reconcile)`), signal: run.signal,
    rowsPerWatermark: run.perRecordWatermark ? 1 : undefined,
    onEndOfInput: () => { if (beforeEnd.size === 0) for (const [id, l] of changelogs) beforeEnd.set(id, l.length); },
  });
  const timer = run.progress && setInterval(() => run.progress!(sourceRecords(runner), false), run.progressIntervalMs ?? 1000);
  try {
    await runner.run();
  } finally {
    if (timer) clearInterval(timer);
    for (const s of sinks) buffers.delete(`${prefix}-${s.id}`);
  }
  run.progress?.(sourceRecords(runner), true);
  const rows = new Map<string, Row[]>();
  for (const [id, changelog] of changelogs) rows.set(id, materializeAll(changelog));
  return { rows, beforeEnd, lateRecordsDropped: runner.metrics.total('lateRecordsDropped') };
}

function sourceRecords(runner: JobRunner): number {
  let n = 0;
  for (const node of runner.plan.nodes) if (node.kind === 'source') n += runner.metrics.operator(node.id, '').recordsOut;
  return n;
}

/** Inserts and updates-after as rows, in order; a retraction removes the last equal row (a stream's updates). */
function materializeAll(changelog: { kind: RowKind; row: Row }[]): Row[] {
  const out: Row[] = [];
  for (const { kind, row } of changelog) {
    if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) { out.push(row); continue; }
    const text = valuesText(row);
    for (let i = out.length - 1; i >= 0; i--) if (valuesText(out[i]) === text) { out.splice(i, 1); break; }
  }
  return out;
}
