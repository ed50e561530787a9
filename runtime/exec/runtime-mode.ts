// Flink's `execution.runtime-mode`: streaming (the default), batch, or automatic (batch when every source is
// bounded). In batch mode a job runs over bounded input to final results: no watermarks (nothing is late),
// aggregates emit once at the end of input as inserts, windows fire at the end of input. What only a stream
// can do (processing-time windows, an unbounded source) fails before any record is read, with the reason.
import type { SourceReader } from '../core/connector.js';
import { UserError } from '../core/errors.js';
import { connectorFor, isProblem, sinkChangelogProblem } from '../connectors/check-table.js';
import type { JobPlan, SortNode, SourceNode } from '../core/plan.js';

export type RuntimeMode = 'streaming' | 'batch' | 'automatic';

export const RUNTIME_MODE_KEY = 'execution.runtime-mode';

export function runtimeMode(config: Record<string, string>): RuntimeMode {
  const v = (config[RUNTIME_MODE_KEY] ?? 'streaming').toLowerCase();
  if (v === 'streaming' || v === 'batch' || v === 'automatic') return v;
  throw new UserError(`${RUNTIME_MODE_KEY} = '${config[RUNTIME_MODE_KEY]}' is not a runtime mode`, 'use streaming, batch or automatic');
}

/** Whether the run is a batch run, once its sources are open (automatic: every source is bounded). */
export function resolveBatch(mode: RuntimeMode, sources: readonly { node: SourceNode; reader: SourceReader }[]): boolean {
  if (mode === 'streaming') return false;
  const unbounded = sources.filter((s) => !s.reader.bounded);
  if (mode === 'automatic') return unbounded.length === 0;
  if (unbounded.length > 0) {
    const s = unbounded[0].node;
    throw new UserError(
      `${RUNTIME_MODE_KEY} = batch needs bounded sources, but table '${s.table}' (connector '${s.connector}') is unbounded`,
      "bound it: kafka with 'scan.bounded.mode' (latest-offset, group-offsets, timestamp, specific-offsets), datagen with 'number-of-rows'; filesystem is bounded",
    );
  }
  return true;
}

/** What a batch run cannot do, found in the plan before anything opens. */
export function checkBatchPlan(plan: JobPlan): void {
  for (const n of plan.nodes) {
    // Flink's DynamicSourceUtils refuses these in batch mode too: final results need an insert-only input.
    if (n.kind === 'source' && n.changelog !== 'insert-only') {
      throw new UserError(
        `${RUNTIME_MODE_KEY} = batch: table '${n.table}' (connector '${n.connector}') produces updates and deletes, but a batch reads only insert-only sources`,
        'read the table in streaming mode, or read an append-only copy of it (e.g. kafka with format json instead of a changelog format)',
      );
    }
    if (n.kind === 'join' && n.temporal) {
      throw new UserError(
        `${RUNTIME_MODE_KEY} = batch: a temporal join (FOR SYSTEM_TIME AS OF ${n.temporal.leftTime}) joins each row with the version valid at its time as the watermark passes it, which a batch does not have`,
        'run the job in streaming mode (bounded sources end it there too)',
      );
    }
    if ((n.kind === 'windowAggregate' || n.kind === 'windowTable') && n.window.time === 'processing') {
      throw new UserError(
        `${RUNTIME_MODE_KEY} = batch: the window on '${n.window.timeColumn}' is a processing-time window, whose result depends on when records arrive, not on the records`,
        'window on an event-time column (one with a WATERMARK), or run in streaming mode',
      );
    }
  }
}

/** Flink's words for an ORDER BY a stream cannot run (not an ascending time attribute, no LIMIT). */
export function streamingSortRefusal(n: SortNode): string {
  return `Sort on a non-time-attribute field is not supported in streaming mode: ORDER BY ${n.orderBy.map((k) => `${k.column}${k.desc ? ' DESC' : ''}`).join(', ')}`;
}

/**
 * A streaming run's sinks must take what their queries produce. The compiler checks this unless the job was
 * compiled for batch mode; a run settles the mode only now (-D at run time, automatic mode), so it checks again.
 */
export function checkStreamingSinks(plan: JobPlan): void {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  for (const n of plan.nodes) {
    if (n.kind !== 'sink') continue;
    const c = connectorFor(n.table, n.connector, 'sink');
    const problem = isProblem(c) ? null : sinkChangelogProblem(c, n, byId.get(n.input)!);
    if (problem) throw new UserError(`${problem.message} (in streaming mode)`, `${problem.hint}; or run it with -D ${RUNTIME_MODE_KEY}=batch`);
  }
}
