// Slot allocation as Flink's: a job needs as many slots as its parallelism (slot sharing puts one subtask of
// every vertex in each slot). The taskmanager with the most free slots takes them all when it can (its
// subtasks then exchange in memory); otherwise, for a job that may be spread (its cross-process exchanges go
// through Kafka, exec/parallel/kafka-transport.ts), the subtasks are spread over the taskmanagers with the
// most free slots, in that order, subtask 0 (the coordinator) on the first. A job that cannot get its slots
// waits (slot.request.timeout, default 300000 ms, as Flink), in submission order, and is placed as soon as
// slots free up or a taskmanager registers.
import type { JobRecord } from './job-record.js';
import type { TaskManagerRecord } from './taskmanager-registry.js';

/** Flink's default `slot.request.timeout`. */
export const DEFAULT_SLOT_REQUEST_TIMEOUT_MS = 300_000;

/** Slots a job's attempt holds: its parallelism (slot sharing, as Flink's default slot sharing group). */
export const slotsNeeded = (job: JobRecord): number => job.parallelism;

/** Subtasks of an attempt on one taskmanager. */
export interface Placement {
  tm: TaskManagerRecord;
  subtasks: number[];
}

export class SlotPool {
  constructor(private readonly taskManagers: ReadonlyMap<string, TaskManagerRecord>) {}

  private byFree(): TaskManagerRecord[] {
    return [...this.taskManagers.values()].filter((t) => t.freeSlots > 0).sort((a, b) => b.freeSlots - a.freeSlots);
  }

  /** Where the job's subtasks would go now; null when the slots are not there. */
  private place(job: JobRecord, spread: boolean): Placement[] | null {
    const need = slotsNeeded(job);
    const tms = this.byFree();
    const all = Array.from({ length: need }, (_, i) => i);
    if (tms[0] && tms[0].freeSlots >= need) return [{ tm: tms[0], subtasks: all }];
    if (!spread || tms.reduce((s, t) => s + t.freeSlots, 0) < need) return null;
    const out: Placement[] = [];
    let next = 0;
    for (const tm of tms) {
      if (next === need) break;
      const take = Math.min(tm.freeSlots, need - next);
      out.push({ tm, subtasks: all.slice(next, next + take) });
      next += take;
    }
    return out;
  }

  /** Takes the job's slots for an attempt; the first placement holds subtask 0. Null when they are not free. */
  allocate(job: JobRecord, attempt: number, spread: boolean): Placement[] | null {
    const placements = this.place(job, spread);
    for (const p of placements ?? []) p.tm.tasks.set(job.id, { attempt, delivered: false, slots: p.subtasks.length });
    return placements;
  }

  /** Whether the job's slots are free now. */
  fits(job: JobRecord, spread: boolean): boolean {
    return this.place(job, spread) !== null;
  }

  /** Frees the slots of the job's current attempt, wherever it still holds them. */
  release(job: JobRecord): void {
    const where = new Set([job.taskManager, ...job.placements.map((p) => p.taskManager)]);
    for (const id of where) {
      const tm = id ? this.taskManagers.get(id) : undefined;
      if (tm && tm.tasks.get(job.id)?.attempt === job.attempt) tm.tasks.delete(job.id);
    }
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
  reason(job: JobRecord, spread: boolean): string {
    const need = slotsNeeded(job);
    const c = this.counts();
    const most = Math.max(0, ...[...this.taskManagers.values()].map((t) => t.freeSlots));
    const what = `needs ${need} slot${need === 1 ? '' : 's'}${spread && need > 1 ? '' : ' on one taskmanager'}`;
    if (c.taskManagers === 0) return `waiting for resources: ${what}; no taskmanager is registered`;
    return `waiting for resources: ${what}; ${c.free} of ${c.total} free${!spread && c.free >= need && most < need ? ` (at most ${most} on one)` : ''}`;
  }
}
