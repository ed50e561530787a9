// Builds the operators of one run from the plan: a pump per source, a processor per fused node, aggregate,
// rank, union and sink, and the edges between them. Dispatch is by node kind, exhaustively, so a new kind does not
// compile until it has a place here. A fused node that ends in an aggregate's accumulate step is that
// aggregate's ingest: its input feeds the aggregate directly.
import type { SinkWriter, SourceReader } from '../core/connector.js';
import type { DataType } from '../core/data-types.js';
import type { JoinOutput, MapStage, StageCode, WatermarkCell } from '../core/kernels.js';
import type { GroupIngest } from '../state/group-state.js';
import type { WindowIngest } from '../state/window-state.js';
import type { JobMetrics } from '../core/metrics.js';
import { durationOption } from '../core/options.js';
import { inputsOf, unhandledKind, type ExchangeNode, type FusedNode, type GroupAggregateNode, type JobPlan, type PlanNode, type SortNode, type SourceNode, type WindowAggregateNode } from '../core/plan.js';
import type { OperatorMetrics } from '../core/metrics.js';
import { aggKernel } from '../state/agg-kernel.js';
import { WatermarkTracker } from '../time/watermark-tracker.js';
import { describe } from './describe.js';
import { keyGroupFunction, maxParallelismOf } from './key-groups.js';
import type { MiniBatchSettings } from './mini-batch.js';
import { openLookup, openSink, openSource, type OpenContext } from './open-connectors.js';
import { OutputSample } from '../core/output-sample.js';
import { Forward, GroupAggProcessor, MapProcessor, SinkProcessor, UnionProcessor, WindowAggProcessor, type Processor, type Stateful } from './processors.js';
import type { JobSnapshot } from './snapshot.js';
import { SourcePump } from './source-pump.js';
import { checkBatchPlan, checkStreamingSinks, resolveBatch, RUNTIME_MODE_KEY, streamingSortRefusal, type RuntimeMode } from './runtime-mode.js';
import { BatchSort, ProcTimeSort, RowTimeSort, sortAsRank } from './sort/sort-processor.js';
import { UserError } from '../core/errors.js';
import { FinalRows } from './final-rows.js';
import { rankChangelog, rankReleasesInput } from './rank/rank-strategy.js';
import { IntervalJoinProcessor } from './interval-join-processor.js';
import { LookupCache, LookupJoinProcessor, lookupCacheSettings } from './lookup-join-processor.js';
import { CorrelateProcessor, correlateArg } from './correlate-processor.js';
import { JoinProcessor } from './join-processor.js';
import { TemporalJoinProcessor } from './temporal-join-processor.js';
import { WindowJoinProcessor } from './window-join-processor.js';
import { RankProcessor } from './rank/rank-processor.js';
import { OverAggregateProcessor } from './over/over-processor.js';
import { WindowTableProcessor } from './window-table-processor.js';

export interface OperatorGraph {
  pumps: SourcePump[];
  sinks: { id: string; writer: SinkWriter }[];
  stateful: Map<string, Stateful>;
  /** Operators with processing-time timers (windows, interval joins): the runner's clock fires them. */
  procTimers: ProcessingTimers[];
  /** Aggregates emitting per mini-batch: the timer sends out those that are due, snapshots flush them. */
  miniBatches: GroupAggProcessor[];
  /** Lookup joins: their lookup sources are closed with the sinks. */
  lookups?: LookupJoinProcessor[];
  /** A batch run (runtime-mode.ts): no watermarks, aggregates emit once at the end of input. */
  batch?: boolean;
}

/** An operator that acts when the clock reaches a time (the runner polls nextFireTime on its timer tick). */
export interface ProcessingTimers {
  nextFireTime(): number;
  fire(now: number): void;
}

export interface GraphContext extends OpenContext {
  code: StageCode;
  metrics: JobMetrics;
  restore: JobSnapshot | null;
  miniBatch: MiniBatchSettings | null;
  /** Where sinks whose buffers are full leave their promise. */
  pending: Promise<void>[];
  /** execution.runtime-mode (default streaming). */
  mode?: RuntimeMode;
  /** Set in a parallel subtask (exec/parallel/): how the parts that differ from a single task are built. */
  subtasks?: SubtaskParts;
}

/** The operators of a parallel subtask that a single task does not have (exec/parallel/subtask-parts.ts). */
export interface SubtaskParts {
  /** Whether this exchange crosses subtasks (else it is forward, as in a single task). */
  crosses(n: ExchangeNode): boolean;
  /** Both ends of an exchange between subtasks: the outbox its input feeds, the inbox its consumers read. */
  exchange(n: ExchangeNode, m: OperatorMetrics): { entry: Processor; exit: { outputs: Processor[] } };
  /** A fused accumulate step pre-aggregates here and sends partial aggregates on (local-global aggregation). */
  localAggregate(n: FusedNode, agg: GroupAggregateNode | WindowAggregateNode, ingest: unknown, m: OperatorMetrics): Processor & { outputs: Processor[] };
  /** The aggregate's own ingest then merges partial aggregates. */
  mergeIngest(agg: GroupAggregateNode | WindowAggregateNode): GroupIngest | WindowIngest;
}

/** Where rows sent to a node go (`entry`, per input for a union), and the list a node's output goes to (`exit`). */
interface Ends {
  entry?: (input: string) => Processor;
  exit?: { outputs: Processor[] };
}

export async function buildGraph(plan: JobPlan, ctx: GraphContext): Promise<OperatorGraph> {
  const g: OperatorGraph = { pumps: [], sinks: [], stateful: new Map(), procTimers: [], miniBatches: [] };
  const readers = new Map<string, SourceReader>();
  try {
    await assemble(plan, ctx, g, readers);
    return g;
  } catch (e) {
    // What opened before the failure closes again: a source's consumer left open would keep its group
    // membership and its process alive (a parallel subtask whose sink failed to open never ended). Sources
    // opened before their pump was built are in `readers` only.
    await closeGraph(g, [...readers.values()]);
    throw e;
  }
}

/** Closes a graph's sources (by default its pumps' readers), then its sinks and lookup sources; failures are ignored. */
export async function closeGraph(g: OperatorGraph, readers: SourceReader[] = g.pumps.map((p) => p.reader)): Promise<void> {
  await Promise.allSettled(readers.map((r) => r.close()));
  await Promise.allSettled(g.sinks.map((s) => s.writer.close()));
  await Promise.allSettled((g.lookups ?? []).map((l) => l.close()));
}

/** Opens the sources, then builds every operator into `g` and connects them; what it opened is in `readers` and `g`. */
async function assemble(plan: JobPlan, ctx: GraphContext, g: OperatorGraph, readers: Map<string, SourceReader>): Promise<void> {
  const { code, restore } = ctx;
  const maxParallelism = maxParallelismOf(plan.config);
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const consumers = (id: string) => plan.nodes.filter((n) => inputsOf(n).includes(id));
  const ingestOf = new Map<string, FusedNode>();
  for (const n of plan.nodes) if (n.kind === 'fused' && n.accumulateInto) ingestOf.set(n.accumulateInto, n);
  const ends = new Map<string, Ends>();
  const processorOf = (id: string) => ends.get(id)!.entry!(id);
  // Sources open first: whether the run is a batch (automatic mode) depends on all of them being bounded.
  const mode = ctx.mode ?? 'streaming';
  if (mode === 'batch') checkBatchPlan(plan);
  for (const n of plan.nodes) {
    if (n.kind === 'source') readers.set(n.id, await openSource(n, restore?.sources[n.id] ?? null, ctx.metrics.operator(n.id, describe(n)), ctx));
  }
  g.batch = resolveBatch(mode, plan.nodes.flatMap((n) => (n.kind === 'source' ? [{ node: n, reader: readers.get(n.id)! }] : [])));
  if (g.batch) checkBatchPlan(plan);
  else checkStreamingSinks(plan);
  const batch = g.batch;

  for (const n of plan.nodes) {
    const m = ctx.metrics.operator(n.id, describe(n));
    switch (n.kind) {
      case 'source': {
        const reader = readers.get(n.id)!;
        // A batch has no watermarks: every record counts, windows fire at the end of input.
        const tracker = n.watermark && !batch ? new WatermarkTracker(n.watermark.delayMs, idleTimeout(n, plan.config)) : null;
        if (tracker && restore?.watermarks[n.id]) tracker.restore(restore.watermarks[n.id]);
        const recycle = reader.recycle !== undefined && releasesRows(consumers(n.id), code, consumers, (x) => ctx.subtasks?.crosses(x) ?? false);
        const pump = new SourcePump(n, reader, tracker, code.computed[n.id], recycle, m, ctx.log);
        g.pumps.push(pump);
        ends.set(n.id, { exit: pump });
        break;
      }
      case 'calc':
        throw new Error(`calc ${n.id} is outside a fused node: the plan did not go through compiler/passes (fuse-stages)`);
      case 'fused': {
        if (n.accumulateInto && ctx.subtasks) {
          const p = ctx.subtasks.localAggregate(n, byId.get(n.accumulateInto) as GroupAggregateNode | WindowAggregateNode, code.stages[n.id], m);
          ends.set(n.id, { entry: () => p, exit: p });
          break;
        }
        if (n.joinOutput !== undefined) {
          // The join made these rows already (its output has the calcs applied): they pass on, counted here.
          const p = new Forward(m);
          ends.set(n.id, { entry: () => p, exit: p });
          break;
        }
        if (n.accumulateInto) {
          // Rows sent here go to the aggregate, whose processor runs this node's code as its ingest.
          const agg = n.accumulateInto;
          ends.set(n.id, { entry: () => processorOf(agg) });
          break;
        }
        const p = new MapProcessor(code.stages[n.id] as MapStage, m);
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'exchange': {
        if (ctx.subtasks?.crosses(n)) {
          const { entry, exit } = ctx.subtasks.exchange(n, m);
          ends.set(n.id, { entry: () => entry, exit });
          break;
        }
        // One subtask: every distribution is forward. After an accumulating fused node there is nothing to pass on.
        if (byId.get(n.input)?.kind === 'fused' && (byId.get(n.input) as FusedNode).accumulateInto) break;
        const p = new Forward(m);
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'groupAggregate': case 'windowAggregate': {
        const ingestNode = ingestOf.get(n.id);
        if (!ingestNode) throw new Error(`aggregate ${n.id} has no fused accumulate step: the plan did not go through compiler/passes (fuse-stages)`);
        const ingest = ctx.subtasks ? ctx.subtasks.mergeIngest(n) : code.stages[ingestNode.id];
        const input = ingestNode.schema;
        const p = n.kind === 'groupAggregate'
          ? new GroupAggProcessor(ingest as GroupIngest, aggKernel(n.aggs, input, n.retracting, code.udfs), n, input, m, batch ? null : ctx.miniBatch, maxParallelism, batch, batch && !ctx.subtasks)
          // A parallel run's aggregate merges partial aggregates per window: it keeps its windows whole.
          : new WindowAggProcessor(ingest as WindowIngest, aggKernel(n.aggs, input, false, code.udfs), n, input, m, maxParallelism, batch && !ctx.subtasks);
        if (p instanceof WindowAggProcessor && p.processingTime) g.procTimers.push(p);
        if (p instanceof GroupAggProcessor && ctx.miniBatch && !batch) g.miniBatches.push(p);
        if (restore?.operators[n.id] !== undefined) p.restore(restore.operators[n.id]);
        g.stateful.set(n.id, p);
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'rank': {
        const input = byId.get(n.input)!.schema;
        const keyTypes = n.partitionKeys.map((k) => input.find((f) => f.name === k)!.type);
        const p = new RankProcessor(n, input, m, keyGroupFunction(keyTypes, maxParallelism), maxParallelism);
        if (restore?.operators[n.id] !== undefined) p.restore(restore.operators[n.id]);
        g.stateful.set(n.id, p);
        // A batch emits the final ranking once, as inserts, where a stream sends its updates.
        const final = batch && rankChangelog(n.strategy) !== 'insert-only' ? new FinalRows(n.schema.map((f) => f.name), m) : null;
        if (final) p.outputs.push(final);
        ends.set(n.id, { entry: () => p, exit: final ?? p });
        break;
      }
      case 'overAggregate': {
        const input = byId.get(n.input)!.schema;
        const keyTypes = n.partitionKeys.map((k) => input.find((f) => f.name === k)!.type);
        const p = new OverAggregateProcessor(n, input, m, keyGroupFunction(keyTypes, maxParallelism), maxParallelism, code.udfs);
        if (restore?.operators[n.id] !== undefined) p.restore(restore.operators[n.id]);
        g.stateful.set(n.id, p);
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'sort': {
        const p = sortProcessor(n, byId.get(n.input)!, batch, m, maxParallelism);
        if (p instanceof RowTimeSort || p instanceof RankProcessor) {
          if (restore?.operators[n.id] !== undefined) p.restore(restore.operators[n.id]);
          g.stateful.set(n.id, p);
        }
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'windowTable': {
        const p = new WindowTableProcessor(n, m);
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'union': {
        const p = new UnionProcessor(n.inputs.length, m);
        ends.set(n.id, { entry: (input) => p.port(n.inputs.indexOf(input)), exit: p });
        break;
      }
      case 'join': {
        const keyTypes = (id: string, keys: string[]) => keys.map((k) => byId.get(id)!.schema.find((f) => f.name === k)!.type);
        const types: [DataType[], DataType[]] = [keyTypes(n.left, n.leftKeys), keyTypes(n.right, n.rightKeys)];
        const condition = code.conditions?.[n.id] ?? null;
        // A batch has no watermark to clean an interval join's state by or to fire windows with: its final rows are
        // the regular join's (a window join's window columns are among its keys).
        const p = n.temporal
          ? new TemporalJoinProcessor(n, types, condition, m, { maxParallelism: maxParallelismOf(plan.config), ttlMs: durationOption(plan.config, 'table.exec.state.ttl', 0) })
          : n.interval && !batch
          ? new IntervalJoinProcessor(n, types, condition, m, { maxParallelism: maxParallelismOf(plan.config) })
          : n.window && !batch
          ? new WindowJoinProcessor(n, types, condition, m, { maxParallelism: maxParallelismOf(plan.config) })
          : new JoinProcessor(n, types, condition, m, {
            // A batch keeps every row to the end (Flink's batch joins have no state TTL).
            ttlMs: batch ? 0 : durationOption(plan.config, 'table.exec.state.ttl', 0), maxParallelism: maxParallelismOf(plan.config), batch,
            insertOnly: [byId.get(n.left)!.changelog === 'insert-only', byId.get(n.right)!.changelog === 'insert-only'],
            output: joinOutputOf(plan, n.id, code),
          });
        if (p instanceof IntervalJoinProcessor && p.processingTime) g.procTimers.push(p);
        if (restore?.operators[n.id] !== undefined) p.restore(restore.operators[n.id]);
        g.stateful.set(n.id, p);
        ends.set(n.id, { entry: (input) => p.port(input === n.left ? 0 : 1), exit: p });
        break;
      }
      case 'lookupJoin': {
        const source = await openLookup(n, m, ctx);
        const settings = lookupCacheSettings(n.options);
        const cache = settings && new LookupCache(settings, Date.now);
        const p = new LookupJoinProcessor(n, source, code.conditions?.[n.id] ?? null, m, ctx.pending, cache);
        (g.lookups ??= []).push(p);
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'correlate': {
        const p = new CorrelateProcessor(n, n.args.map((_, i) => code.conditions![correlateArg(n.id, i)]), m);
        ends.set(n.id, { entry: () => p, exit: p });
        break;
      }
      case 'sink': {
        const restored = restore ? (restore.operators[n.id] ?? null) : null;
        const writer = await openSink(n, batch ? 'insert-only' : byId.get(n.input)!.changelog, restored, m, ctx);
        g.sinks.push({ id: n.id, writer });
        const vanished = restore?.handover?.[n.id];
        if (vanished !== undefined && vanished.length > 0) {
          if (!writer.takeOver) throw new Error(`sink ${n.id} (connector '${n.connector}') has state of subtasks that no longer exist but cannot take it over`);
          await writer.takeOver(vanished);
        }
        m.outputSample = new OutputSample(n.schema);
        const p = new SinkProcessor(writer, m, ctx.pending);
        ends.set(n.id, { entry: () => p });
        break;
      }
      default: unhandledKind(n);
    }
  }

  // Edges: each node's output to its consumers; the accumulate chain fused node → exchange → aggregate is
  // one step (the fused node's entry is the aggregate), so neither of its edges carries rows.
  for (const n of plan.nodes) {
    const exit = ends.get(n.id)?.exit;
    if (!exit) continue;
    for (const c of consumers(n.id)) {
      const entry = ends.get(c.id)!.entry;
      if (!entry) continue;
      // A stage reading CURRENT_WATERMARK sees the last watermark its input sent (rows of a batch: the one before them).
      const cell = code.watermarks?.[c.id];
      exit.outputs.push(cell ? watermarkInto(cell, entry(n.id)) : entry(n.id));
    }
  }
}

/** The output rows of a join whose reader is fused into it (FusedNode.joinOutput), from the code; undefined when none is. */
function joinOutputOf(plan: JobPlan, join: string, code: StageCode): JoinOutput | undefined {
  if (!plan.nodes.some((c) => c.kind === 'fused' && c.joinOutput === join)) return undefined;
  const output = code.joinOutputs?.[join];
  if (output === undefined) throw new Error(`join ${join}: its reader is fused into it but the code has no output for it`);
  return output;
}

function watermarkInto(cell: WatermarkCell, p: Processor): Processor {
  return {
    process: (rows, kinds) => p.process(rows, kinds),
    watermark: (wm) => { cell.wm = wm; p.watermark(wm); },
    endInput: () => p.endInput(),
  };
}

/** A batch sorts everything at the end; a stream sorts by time, or ranks (Top-N, LIMIT), as sort-processor.ts says. */
function sortProcessor(n: SortNode, input: PlanNode, batch: boolean, m: OperatorMetrics, maxParallelism: number): Processor & { outputs: Processor[] } {
  if (batch) return new BatchSort(n, m);
  switch (n.streaming) {
    case 'rowtime': return new RowTimeSort(n, m);
    case 'proctime': return new ProcTimeSort(n, m);
    // No partition keys: every row is in key group 0's subtask (the exchange in front sends them there).
    case 'top-n': case 'limit': return new RankProcessor(sortAsRank(n, input), input.schema, m, keyGroupFunction([], maxParallelism), maxParallelism);
    case null: throw new UserError(streamingSortRefusal(n), `sort by an ascending time attribute, add LIMIT (a Top-N), or run with -D ${RUNTIME_MODE_KEY}=batch`);
    default: return unhandledKind(n.streaming);
  }
}

/**
 * Whether every reader of a source's rows keeps no reference to them once it returns: a generated stage that says
 * so, a join (every join operator keeps copies of the columns it needs and builds new rows) or a rank whose
 * strategy copies what it keeps, reached directly or through an exchange that stays in this subtask (one that
 * crosses subtasks queues the rows).
 */
function releasesRows(readers: readonly PlanNode[], code: StageCode, consumers: (id: string) => PlanNode[], crosses: (n: ExchangeNode) => boolean): boolean {
  const releasing = new Set(code.releasesInput ?? []);
  const releases = (c: PlanNode): boolean =>
    (c.kind === 'fused' && releasing.has(c.id)) || c.kind === 'join' || (c.kind === 'rank' && rankReleasesInput(c.strategy)) ||
    (c.kind === 'exchange' && !crosses(c) && consumers(c.id).every(releases));
  return readers.every(releases);
}

function idleTimeout(n: SourceNode, config: Record<string, string>): number {
  return durationOption(n.options, 'scan.watermark.idle-timeout', durationOption(config, 'table.exec.source.idle-timeout', 0));
}
