// Restoring at any parallelism: from every subtask's part of a stored snapshot, the snapshot that subtask
// `index` of a run at `parallelism` starts from (as Flink's StateAssignmentOperation). Keyed operator state
// goes by key group to the subtask whose key-group range holds it (key-groups.ts); source positions go by
// split to the subtask the source's split assignment gives the split (SplitPositions), with their watermarks;
// other operator state (a sink's pending transaction) stays with its subtask index, and that of subtasks that
// no longer exist goes to subtask 0 as `handover`. Snapshots from before key groups are converted with the
// plan's key types. A pure function of its inputs: the runner and the taskmanagers only call it.
import type { SplitPositions } from '../core/connector.js';
import { UserError } from '../core/errors.js';
import type { JobPlan } from '../core/plan.js';
import { findConnector } from '../connectors/registry.js';
import type { JobSnapshot } from '../state/checkpoint-storage.js';
import { GroupState } from '../state/group-state.js';
import { isKeyedSnapshot, type KeyedItem, type KeyedSnapshot, type KeyGroupOf } from '../state/keyed-snapshot.js';
import { WindowState } from '../state/window-state.js';
import { keyGroupFunction, keyGroupRange, maxParallelismOf } from './key-groups.js';
import { RankProcessor } from './rank/rank-processor.js';

/** What redistribution needs to know of the plan. */
export interface SnapshotLayout {
  maxParallelism: number;
  /** Keyed operators by id: their kind (to convert the formats before key groups) and key-group function. */
  keyed: Map<string, { kind: 'group' | 'window' | 'rank' | 'over'; keyGroupOf: KeyGroupOf }>;
  /** Joins by id: their state is a map from key group per side (state/join-state.ts). */
  joins: Set<string>;
  /** Every operator id of the plan (state of others is skipped, as the runner allowed). */
  operators: Set<string>;
  /** Sinks by id: their state is the subtask's own (kept by index). */
  sinks: Set<string>;
  /** Sources by id: how their positions divide into splits (absent: the connector cannot be rescaled). */
  sources: Map<string, { connector: string; splits: SplitPositions | undefined }>;
}

export function snapshotLayout(plan: JobPlan): SnapshotLayout {
  const maxParallelism = maxParallelismOf(plan.config);
  const layout: SnapshotLayout = { maxParallelism, keyed: new Map(), joins: new Set(), sinks: new Set(), sources: new Map(), operators: new Set(plan.nodes.map((n) => n.id)) };
  for (const n of plan.nodes) {
    if (n.kind === 'groupAggregate' || n.kind === 'windowAggregate') {
      const types = n.keys.map((k) => n.schema.find((f) => f.name === k)!.type);
      layout.keyed.set(n.id, { kind: n.kind === 'groupAggregate' ? 'group' : 'window', keyGroupOf: keyGroupFunction(types, maxParallelism) });
    } else if (n.kind === 'rank') {
      const input = plan.nodes.find((i) => i.id === n.input)!.schema;
      const types = n.partitionKeys.map((k) => input.find((f) => f.name === k)!.type);
      layout.keyed.set(n.id, { kind: 'rank', keyGroupOf: keyGroupFunction(types, maxParallelism) });
    } else if (n.kind === 'overAggregate') {
      const types = n.partitionKeys.map((k) => n.schema.find((f) => f.name === k)!.type);
      layout.keyed.set(n.id, { kind: 'over', keyGroupOf: keyGroupFunction(types, maxParallelism) });
    } else if (n.kind === 'sink') {
      layout.sinks.add(n.id);
    } else if (n.kind === 'join') {
      layout.joins.add(n.id);
    } else if (n.kind === 'source') {
      layout.sources.set(n.id, { connector: n.connector, splits: findConnector(n.connector)?.splits });
    }
  }
  return layout;
}

/** A stored snapshot's parts: one per subtask (a single task's snapshot is its own part). */
export const partsOf = (snapshot: JobSnapshot): JobSnapshot[] =>
  snapshot.subtasks ?? [{ sources: snapshot.sources, operators: snapshot.operators, watermarks: snapshot.watermarks }];

/** The operators and sources the snapshot has state for that `plan` does not have (--allow-non-restored-state skips them). */
export function unmappedState(plan: JobPlan, snapshot: JobSnapshot): string[] {
  const ids = new Set(plan.nodes.map((n) => n.id));
  return [...new Set(partsOf(snapshot).flatMap((s) => [...Object.keys(s.operators), ...Object.keys(s.sources)]))].filter((id) => !ids.has(id));
}

/**
 * The snapshot subtask `index` of a run at `parallelism` restores from. State of operators and sources the plan
 * does not have is left out (whoever runs the job has checked --allow-non-restored-state: unmappedState), at any
 * parallelism: it cannot be split without what the plan would say of it, and nothing would read it.
 */
export function subtaskSnapshot(snapshot: JobSnapshot, layout: SnapshotLayout, parallelism: number, index: number): JobSnapshot {
  if (!(Number.isInteger(index) && index >= 0 && index < parallelism)) throw new RangeError(`subtask ${index} of ${parallelism}`);
  const { maxParallelism } = layout;
  const parts = partsOf(snapshot);
  const taken = parts.flatMap((p) => Object.values(p.operators)).find(isKeyedSnapshot)?.maxParallelism;
  if (taken !== undefined && taken !== maxParallelism) {
    throw new UserError(
      `the snapshot was taken with pipeline.max-parallelism ${taken} and the job now has ${maxParallelism}: its key groups do not map`,
      `run with -D pipeline.max-parallelism=${taken} (as in Flink, the maximum parallelism of a job with state cannot change)`,
    );
  }
  if (parallelism > maxParallelism) throw new UserError(`parallelism ${parallelism} is above pipeline.max-parallelism ${maxParallelism}`);
  const rescaled = parts.length !== parallelism;
  const range = keyGroupRange(maxParallelism, parallelism, index);
  const out: JobSnapshot = { sources: {}, operators: {}, watermarks: {} };

  const operatorIds = new Set(parts.flatMap((p) => Object.keys(p.operators)).filter((id) => layout.operators.has(id)));
  for (const id of operatorIds) {
    const keyed = layout.keyed.get(id);
    const states = parts.map((p) => p.operators[id]);
    if (layout.joins.has(id)) {
      out.operators[id] = mergeJoin(states as (JoinSnapshot | undefined)[], range.start, range.end);
    } else if (keyed) {
      const converted = states.map((s) => (s === undefined ? undefined : isKeyedSnapshot(s) ? s : fromLegacy(keyed.kind, s, keyed.keyGroupOf, maxParallelism)));
      out.operators[id] = mergeKeyed(converted, range.start, range.end, maxParallelism);
    } else {
      // Other state that is not per key group cannot be split by key.
      if (rescaled && !layout.sinks.has(id) && states.some((x) => x !== undefined && x !== null)) {
        throw new UserError(`operator ${id} keeps state that is not split by key group: it cannot be restored at another parallelism than ${parts.length}`, `resume at -p ${parts.length}`);
      }
      // A sink's state: by subtask index; subtasks that are gone hand theirs to subtask 0.
      if (index < parts.length && states[index] !== undefined) out.operators[id] = states[index];
      if (index === 0) {
        const gone = states.flatMap((state, subtask) => (subtask >= parallelism && state !== undefined && state !== null ? [{ subtask, state }] : []));
        if (gone.length > 0) (out.handover ??= {})[id] = gone;
      }
    }
  }

  const sourceIds = new Set(parts.flatMap((p) => [...Object.keys(p.sources), ...Object.keys(p.watermarks)]).filter((id) => layout.operators.has(id)));
  for (const id of sourceIds) {
    const splits = layout.sources.get(id)?.splits;
    if (!rescaled || !splits) {
      // A position means what it means at the parallelism it was taken at (datagen ranges, file splits by index).
      if (rescaled && parts.some((p) => p.sources[id] !== undefined && p.sources[id] !== null)) {
        throw new UserError(
          `source ${id} (connector '${layout.sources.get(id)?.connector ?? 'unknown'}') was read at parallelism ${parts.length} and has no split assignment that carries its position to parallelism ${parallelism}`,
          `resume at -p ${parts.length}, or with --allow-non-restored-state after changing the source (docs/operations.md, Scaling out)`,
        );
      }
      if (index < parts.length) {
        if (parts[index].sources[id] !== undefined) out.sources[id] = parts[index].sources[id];
        if (parts[index].watermarks[id] !== undefined) out.watermarks[id] = parts[index].watermarks[id];
      }
      continue;
    }
    const mine: Record<string, unknown> = {};
    for (const p of parts) {
      if (p.sources[id] === undefined) continue;
      for (const [split, position] of Object.entries(splits.split(p.sources[id]))) {
        if (splits.owner(split, parallelism) === index) mine[split] = position;
      }
    }
    out.sources[id] = splits.join(mine);
    const trackers = parts.map((p) => p.watermarks[id]).filter((w) => w !== undefined) as TrackerSnapshot[];
    if (trackers.length > 0) out.watermarks[id] = mergeTrackers(trackers, (split) => splits.owner(split, parallelism) === index);
  }
  return out;
}

function fromLegacy(kind: 'group' | 'window' | 'rank' | 'over', s: unknown, keyGroupOf: KeyGroupOf, maxParallelism: number): KeyedSnapshot {
  switch (kind) {
    case 'group': return GroupState.fromLegacy(s, keyGroupOf, maxParallelism);
    case 'window': return WindowState.fromLegacy(s, keyGroupOf, maxParallelism);
    case 'rank': return RankProcessor.fromLegacy(s, keyGroupOf, maxParallelism);
    // OVER aggregates came after key groups: their snapshots always carry them.
    case 'over': throw new UserError('an OVER aggregate snapshot without key groups: it was not written by this version of sluice');
    default: { const never: never = kind; throw new Error(`unknown keyed operator kind ${String(never)}`); }
  }
}

/** The items of key groups start..end of every part, in the parts' order; the watermark is the minimum. */
function mergeKeyed(parts: (KeyedSnapshot | undefined)[], start: number, end: number, maxParallelism: number): KeyedSnapshot {
  const lists: Record<string, KeyedItem[]> = {};
  let watermark: number | null | undefined;
  for (const p of parts) {
    if (!p) continue;
    for (const [name, items] of Object.entries(p.lists)) {
      const into = (lists[name] ??= []);
      for (const item of items) if (item[0] >= start && item[0] <= end) into.push(item);
    }
    if (p.watermark !== undefined) {
      watermark = watermark === undefined ? p.watermark : watermark === null || p.watermark === null ? null : Math.min(watermark, p.watermark);
    }
  }
  return watermark === undefined ? { maxParallelism, lists } : { maxParallelism, lists, watermark };
}

/** A join's snapshot: each side's rows by key group. */
type JoinSnapshot = Record<string, Record<string, unknown[]>>;

/** The key groups start..end of every part's sides. */
function mergeJoin(parts: (JoinSnapshot | undefined)[], start: number, end: number): JoinSnapshot {
  const out: JoinSnapshot = {};
  for (const p of parts) {
    if (!p) continue;
    for (const [side, groups] of Object.entries(p)) {
      const into = (out[side] ??= {});
      for (const [kg, records] of Object.entries(groups)) {
        if (Number(kg) >= start && Number(kg) <= end) (into[kg] ??= []).push(...records);
      }
    }
  }
  return out;
}

/** A source's watermark tracker in a snapshot (time/watermark-tracker.ts). */
interface TrackerSnapshot { current: number | null; maxTs: [string, number][] }

/**
 * The splits' event-time progress follows the splits; the emitted watermark restarts from the lowest any
 * subtask had emitted (downstream had seen no less), and never goes back from there.
 */
function mergeTrackers(trackers: TrackerSnapshot[], mine: (split: string) => boolean): TrackerSnapshot {
  let current: number | null = trackers[0].current;
  for (const t of trackers) current = current === null || t.current === null ? null : Math.min(current, t.current);
  return { current, maxTs: trackers.flatMap((t) => t.maxTs.filter(([split]) => mine(split))) };
}
