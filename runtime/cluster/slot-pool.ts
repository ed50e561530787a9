// Slot allocation as Flink's: a job needs as many slots as its parallelism (slot sharing puts one subtask of
// every vertex in each slot), all taken on one taskmanager here because a job's subtasks are threads of one
// task process. A job that cannot get them waits (slot.request.timeout, default 300000 ms, as Flink), in
// submission order, and is placed as soon as slots free up or a taskmanager registers.
import type { JobRecord } from './job-record.js';
import type { TaskManagerRecord } from './taskmanager-registry.js';

/** Flink's default `slot.request.timeout`. */
export const DEFAULT_SLOT_REQUEST_TIMEOUT_MS = 300_000;

/** Slots a job's attempt holds: its parallelism (slot sharing, as Flink's default slot sharing group). */
export const slotsNeeded = (job: JobRecord): number => job.parallelism;

export class SlotPool {
  constructor(private readonly taskManagers: ReadonlyMap<string, TaskManagerRecord>) {}

  /** Takes the job's slots for an attempt on the taskmanager with the most free slots; null when none has enough. */
  allocate(job: JobRecord, attempt: number): TaskManagerRecord | null {
    const slots = slotsNeeded(job);
    const tm = [...this.taskManagers.values()].filter((t) => t.freeSlots >= slots).sort((a, b) => b.freeSlots - a.freeSlots)[0];
    if (!tm) return null;
    tm.tasks.set(job.id, { attempt, delivered: false, slots });
    return tm;
  }

  /** Whether some taskmanager has the job's slots free now. */
  fits(job: JobRecord): boolean {
    const slots = slotsNeeded(job);
    return [...this.taskManagers.values()].some((t) => t.freeSlots >= slots);
  }

  /** Frees the slots of the job's current attempt, if it still holds them. */
  release(job: JobRecord): void {
    if (!job.taskManager) return;
    const tm = this.taskManagers.get(job.taskManager);
    if (tm && tm.tasks.get(job.id)?.attempt === job.attempt) tm.tasks.delete(job.id);
  }

  /** Free and total slots of the registered taskmanagers. */
  counts(): { total: number; free: number; taskManagers: number } {
    const tms = [...this.taskManagers.values()];
    return { total: tms.reduce((s, t) => s + t.info.slots, 0), free: tms.reduce((s, t) => s + t.freeSlots, 0), taskManagers: tms.length };
  }

  /** Flink's wording of the pool's state, for the "could not acquire resources" log line. */
  status(): string {
    const c = this.counts();
    return `Registered TMs: ${c.taskManagers}, registered slots: ${c.total} free slots: ${c.free}`;
  }

  /** Why a job waits, for people: `sluice list`, REST and the CLI show it. */
  reason(job: JobRecord): string {
    const need = slotsNeeded(job);
    const c = this.counts();
    const most = Math.max(0, ...[...this.taskManagers.values()].map((t) => t.freeSlots));
    const what = `needs ${need} slot${need === 1 ? '' : 's'} on one taskmanager`;
    if (c.taskManagers === 0) return `waiting for resources: ${what}; no taskmanager is registered`;
    return `waiting for resources: ${what}; ${c.free} of ${c.total} free${c.free >= need && most < need ? ` (at most ${most} on one)` : ''}`;
  }
}
