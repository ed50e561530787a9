// `sluice reconcile`: did a stream job write what it should have? Re-runs the job's logic as a batch over
// exactly the input the streaming run consumed (its start positions to those of a checkpoint or savepoint),
// reads what each sink table holds now, compares them under each table's key and attributes what a correct
// stream can legitimately differ by (compare.ts). Refuses, with the reason, what cannot be reconciled.
import type { CompiledBundle } from '../core/bundle.js';
import type { Field } from '../core/data-types.js';
import { plainString } from '../core/decimal.js';
import { UserError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { OperatorMetrics } from '../core/metrics.js';
import type { JobPlan, SinkNode, SourceNode } from '../core/plan.js';
import type { Row } from '../core/row.js';
import { jsonValue } from '../core/values.js';
import { findConnector } from '../connectors/registry.js';
import type { StoredCheckpoint } from '../state/checkpoint-storage.js';
import { compareTable, differingKeys, keyOf, type Difference, type Reason } from './compare.js';
import { replay, type ReplayOutput } from './replay.js';
import { sinkKey } from './sink-key.js';

/** Reconcile could not run (exit 2): the job or its run cannot be replayed, or a server could not be read. */
export class CannotReconcileError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'CannotReconcileError';
  }
}

export interface ReconcileOptions {
  /** Relative tolerance for DOUBLE/FLOAT columns (default 1e-9). */
  tolerance?: number;
  /**
   * Whether the sinks may hold output of input after the checkpoint (a running job; one that failed or was
   * cancelled after it). False for a job stopped with this savepoint: then nothing is attributed to later input.
   */
  ranPastCheckpoint?: boolean;
  /** The job's own count of records dropped as late (its metrics), for the report. */
  lateRecordsDropped?: number | null;
  /** Progress lines while the replay runs: every `progressIntervalMs` (default 1000) and one when a pass ends (`done`). */
  progress?: (line: string, done: boolean) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface TableReport {
  table: string;
  connector: string;
  matched: number;
  missing: number;
  extra: number;
  changed: number;
  /** Differences with a legitimate reason (their sum by reason in `explanations`). */
  explained: number;
  explanations: Partial<Record<Reason, number>>;
  /** The key columns rows were matched by (null: whole rows). */
  key: string[] | null;
  examples: Difference[];
  /** Why the table was not compared (print, blackhole: their output cannot be read back). */
  notReconciled?: string;
}

export interface ReconcileReport {
  ok: boolean;
  job: string;
  checkpoint: { kind: string; id: number; path: string; timestamp: number };
  input: { table: string; range: string; records: number | null }[];
  tables: TableReport[];
  notes: string[];
}

const EXAMPLES_PER_KIND = 3;

export async function reconcile(job: CompiledBundle, plan: JobPlan, checkpoint: StoredCheckpoint, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
  refuseProcessingTime(plan);
  const snap = checkpoint.snapshot;
  const range = new Map<string, Record<string, string>>();
  const tail = new Map<string, Record<string, string>>();
  const input: ReconcileReport['input'] = [];
  let total = 0;
  for (const n of plan.nodes.filter((x): x is SourceNode => x.kind === 'source')) {
    const position = snap.sources[n.id];
    if (position === undefined) {
      throw new CannotReconcileError(`the ${checkpoint.info.kind} at ${checkpoint.path} holds no position for table '${n.table}': it was taken by another version of the job`,
        'reconcile the job file or bundle the streaming run was started from');
    }
    const replayOptions = findConnector(n.connector)?.replayOptions;
    if (!replayOptions) {
      input.push({ table: n.table, range: 'the whole (bounded) input', records: null });
      continue;
    }
    const r = replayOptions(n.options, position);
    if ('problem' in r) throw new CannotReconcileError(`table '${n.table}': its input range cannot be replayed: ${r.problem}`);
    range.set(n.id, r.range);
    tail.set(n.id, r.tail);
    input.push({ table: n.table, range: r.describe, records: r.records });
    total += r.records;
  }

  const say = opts.progress ?? (() => {});
  const progress = (what: string) => (read: number, done: boolean) => say(`${what}: ${read.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')} records (${Math.min(100, Math.round((100 * read) / total))} %)` : ' records'}`, done);
  const progressIntervalMs = opts.progressIntervalMs;
  const batch = await replay(job, plan, { mode: 'batch', sources: range, progress: progress('batch over the range'), progressIntervalMs, signal: opts.signal });
  const windows = plan.nodes.some((n) => n.kind === 'windowAggregate');
  const stream = windows ? await replay(job, plan, { mode: 'streaming', sources: range, perRecordWatermark: true, progress: progress('lateness replay'), progressIntervalMs, signal: opts.signal }) : null;
  const later = opts.ranPastCheckpoint !== false && tail.size > 0 ? await replay(job, plan, { mode: 'batch', sources: tail, signal: opts.signal }) : null;

  const tables: TableReport[] = [];
  for (const sink of plan.nodes.filter((x): x is SinkNode => x.kind === 'sink')) {
    tables.push(await reconcileTable(plan, sink, batch, stream, later, opts));
  }
  const notes: string[] = [];
  if (opts.lateRecordsDropped) notes.push(`the job reports ${opts.lateRecordsDropped} record(s) dropped as late (numLateRecordsDropped)`);
  if (stream?.lateRecordsDropped) notes.push(`${stream.lateRecordsDropped} record(s) of the range arrive behind the watermark of the records before them: a stream may drop them as late`);
  const compared = tables.filter((t) => !t.notReconciled);
  if (compared.length === 0) throw new CannotReconcileError(`no sink table of '${plan.name}' can be read back: ${tables.map((t) => `${t.table}: ${t.notReconciled}`).join('; ')}`);
  return {
    ok: compared.every((t) => t.missing + t.extra + t.changed === 0),
    job: plan.name,
    checkpoint: { kind: checkpoint.info.kind, id: checkpoint.info.id, path: checkpoint.path, timestamp: checkpoint.info.timestamp },
    input, tables, notes,
  };
}

async function reconcileTable(plan: JobPlan, sink: SinkNode, batch: ReplayOutput, stream: ReplayOutput | null, later: ReplayOutput | null, opts: ReconcileOptions): Promise<TableReport> {
  const base = { table: sink.table, connector: sink.connector, matched: 0, missing: 0, extra: 0, changed: 0, explained: 0, explanations: {}, examples: [] };
  const module = await findConnector(sink.connector)?.load();
  if (!module?.readTable) {
    return { ...base, key: null, notReconciled: `connector '${sink.connector}' writes nowhere it can be read back from` };
  }
  const columns: Field[] = sink.schema;
  const key = sinkKey(plan, sink);
  const metrics = new OperatorMetrics(sink.id, sink.table);
  const controller = new AbortController();
  let found: Row[];
  try {
    found = await module.readTable({
      table: sink.table, declared: columns, primaryKey: sink.primaryKey, options: sink.options,
      metrics, log: createLogger(`${plan.name} (reconcile)`).child({ table: sink.table }), signal: opts.signal ?? controller.signal,
    });
  } catch (e) {
    throw new CannotReconcileError(`table '${sink.table}' (${sink.connector}) could not be read: ${(e as Error).message}`);
  }
  const expected = batch.rows.get(sink.id) ?? [];
  const keysOf = (rows: readonly Row[]) => new Set(rows.map((r) => keyOf(r, key, columns)));
  const streamRows = stream?.rows.get(sink.id) ?? null;
  const result = compareTable({
    columns, key, expected, found,
    atLeastOnce: sink.primaryKey.length === 0 && sink.options['sink.delivery-guarantee'] !== 'exactly-once',
    lateKeys: streamRows ? differingKeys(expected, streamRows, key, columns) : new Set(),
    unclosedKeys: streamRows ? keysOf(streamRows.slice(stream!.beforeEnd.get(sink.id) ?? streamRows.length)) : new Set(),
    tailKeys: later ? keysOf(later.rows.get(sink.id) ?? []) : new Set(),
    tolerance: opts.tolerance ?? 1e-9,
  });
  // Records the format could not decode are in the table but are no row: extra, unexplained.
  const undecodable = metrics.badRecordsSkipped;
  const examples = [
    ...(['missing', 'extra', 'changed'] as const).flatMap((k) => result.differences.filter((d) => !d.reason && d.kind === k).slice(0, EXAMPLES_PER_KIND)),
    ...[...new Set(result.differences.flatMap((d) => (d.reason ? [d.reason] : [])))].flatMap((r) => result.differences.filter((d) => d.reason === r).slice(0, EXAMPLES_PER_KIND)),
  ].map((d) => reportableDifference(d, columns));
  return {
    ...base, key,
    matched: result.matched, missing: result.missing, extra: result.extra + undecodable, changed: result.changed,
    explained: Object.values(result.explained).reduce((a, b) => a + b, 0),
    explanations: result.explained,
    examples: undecodable > 0 ? [{ kind: 'extra', key: {}, expected: null, found: { undecodable: `${undecodable} record(s) the table's format cannot decode` } }, ...examples] : examples,
  };
}

/**
 * A difference with values a report can print and JSON.stringify can write: a DECIMAL (a bigint, unscaled) as
 * its exact digits ("12.30"), ARRAY/MAP/ROW as JSON values, BYTES in base64 (as Flink's json format writes
 * them); timestamps stay epoch milliseconds (docs/reconcile.md).
 */
export function reportableDifference(d: Difference, columns: readonly Field[]): Difference {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const values = (row: Row): Row => Object.fromEntries(Object.entries(row).map(([name, v]) => {
    const type = types.get(name);
    if (v === null || v === undefined || !type) return [name, v ?? null];
    switch (type.name) {
      case 'DECIMAL': return [name, plainString(v as bigint, type.scale ?? 0)];
      case 'ARRAY': case 'MAP': case 'ROW': return [name, jsonValue(v, type)];
      case 'BYTES': return [name, Buffer.from(v as Uint8Array).toString('base64')];
      default: return [name, v];
    }
  }));
  return { ...d, key: values(d.key), expected: d.expected && values(d.expected), found: d.found && values(d.found) };
}

/** A job whose results depend on processing time cannot be replayed: refused before anything else is done. */
export function refuseProcessingTime(plan: JobPlan): void {
  for (const n of plan.nodes) {
    if (n.kind === 'windowAggregate' && n.window.time === 'processing') {
      throw new CannotReconcileError(
        `'${plan.name}' windows on processing time ('${n.window.timeColumn}'): its results depend on when records arrived (wall-clock time), which a replay cannot reproduce`,
        'window on an event-time column (a WATERMARK) to make the results reproducible, e.g. the click count with --event-time',
      );
    }
  }
}
