// What a running operator graph contributes to a checkpoint, and what it does once the checkpoint is stored;
// the same for a single task (job-runner.ts) and for each parallel subtask (parallel/subtask-runner.ts).
import type { Logger } from '../core/log.js';
import type { OperatorGraph } from './operator-graph.js';
import type { JobSnapshot } from './snapshot.js';

/** Source positions, watermarks and operator state, taken while nothing moves (sources parked, sinks flushed). */
export function captureSnapshot(g: OperatorGraph): JobSnapshot {
  const snap: JobSnapshot = { sources: {}, operators: {}, watermarks: {} };
  for (const p of g.pumps) {
    snap.sources[p.node.id] = p.reader.snapshot();
    if (p.tracker) snap.watermarks[p.node.id] = p.tracker.snapshot();
  }
  for (const [id, s] of g.stateful) snap.operators[id] = s.snapshot();
  // Sinks that keep state (the filesystem sink's part file and length) restore to it after a failure.
  for (const s of g.sinks) if (s.writer.snapshot) snap.operators[s.id] = s.writer.snapshot();
  return snap;
}

/**
 * The checkpoint holding `snap` is stored: two-phase sinks commit what they pre-committed for it (a rejection
 * rejects here), then sources commit their positions (a mirror for monitoring: a failure is only logged).
 */
export async function completeCheckpoint(g: OperatorGraph, snap: JobSnapshot, log: Logger): Promise<void> {
  await Promise.all(g.sinks.map((s) => s.writer.checkpointComplete?.(snap.operators[s.id] ?? null)));
  await Promise.all(g.pumps.map((p) => p.reader.checkpointComplete?.(snap.sources[p.node.id])
    ?.catch((e) => log.warn({ err: e, table: p.node.table }, 'the source could not commit its position'))));
}
