// What a consistent snapshot of a running job holds, and how the runner reaches one: every source parks at
// a batch boundary (the barrier), then the state is captured while nothing moves.
// The snapshot's shape is the checkpoint format's (runtime/state, below this layer).
import { UserError } from '../core/errors.js';
import type { JobPlan } from '../core/plan.js';
import type { JobSnapshot } from '../state/checkpoint-storage.js';

import { snapshotLayout, subtaskSnapshot, unmappedState } from './redistribute.js';

export type { JobSnapshot };

/**
 * The part of `snapshot` that subtask `index` of `parallelism` resumes from (a single task: 0 of 1), shaped as a
 * single task's snapshot, whatever the parallelism the snapshot was taken at: key groups and splits are
 * redistributed (redistribute.ts).
 */
export function subtaskRestore(snapshot: JobSnapshot, index: number, parallelism: number, plan: JobPlan): JobSnapshot {
  return subtaskSnapshot(snapshot, snapshotLayout(plan), parallelism, index);
}

/** A run resuming from `snapshot` without --allow-non-restored-state: all its state must map to the plan (any parallelism). */
export function checkRestorable(plan: JobPlan, snapshot: JobSnapshot): void {
  const [id] = unmappedState(plan, snapshot);
  if (id !== undefined) throw new UserError(`the snapshot has state for operator ${id}, which is not in this job`, 'run with --allow-non-restored-state to skip it');
}

/** How snapshot() ends: keep running (checkpoint, savepoint), or stop right after it (stop-with-savepoint). */
export interface SnapshotOptions {
  /** Sources stop at the barrier, so nothing after the snapshot reaches a sink. */
  stop?: boolean;
  /** First end every source's input as if it were exhausted (windows fire, as Flink's MAX_WATERMARK). */
  drain?: boolean;
  /**
   * Runs while the sources are still parked (e.g. writes the savepoint). If it throws, a stop is called off:
   * the sources resume as if nothing happened (after a drain their input has ended, so the job finishes),
   * and the error goes to the caller.
   */
  persist?: (snapshot: JobSnapshot) => Promise<void>;
}

/**
 * The snapshot barrier: raised for the sources still running, each arrives when it parks at a batch boundary
 * (or ends); once all have, the snapshot is taken, then release() lets them go on.
 */
export class Barrier {
  private current: { remaining: number; release: Promise<void>; allParked: () => void } | null = null;
  private releaseCurrent: (() => void) | null = null;

  get raised(): boolean {
    return this.current !== null;
  }

  /** Raises the barrier and resolves once `running` sources have arrived. */
  raise(running: number): Promise<void> {
    const release = new Promise<void>((r) => (this.releaseCurrent = r));
    return new Promise<void>((allParked) => {
      this.current = { remaining: running, release, allParked };
      if (running === 0) allParked();
    });
  }

  /** A source parks here until the snapshot is taken. */
  async park(): Promise<void> {
    const release = this.current!.release;
    this.arrive();
    await release;
  }

  /** A source that ends arrives for good. */
  arrive(): void {
    if (this.current && --this.current.remaining === 0) this.current.allParked();
  }

  lower(): void {
    this.current = null;
    this.releaseCurrent?.();
    this.releaseCurrent = null;
  }
}
