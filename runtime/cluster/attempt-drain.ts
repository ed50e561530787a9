// Before a job's next attempt is deployed, every task of the failed one is cancelled and has stopped, as
// Flink cancels the failed execution's tasks and waits for them to reach CANCELED before it deploys anew:
// an old task of an upsert sink (jdbc, elasticsearch) must not write after the new attempt and overwrite a
// newer value. A taskmanager acknowledges when its task of that attempt ended (its final state event, or a
// heartbeat that no longer reports it running), or it is gone (lost after heartbeat.timeout). A task ends
// only once its run ended, sinks closed, or its thread was terminated (task.cancellation.timeout).
import type { TaskReport, TaskState } from './protocol.js';
import type { TaskManagerRecord } from './taskmanager-registry.js';

export interface Draining {
  attempt: number;
  /** The taskmanagers still running a task of that attempt. */
  hosts: Set<string>;
  since: number;
  /** The restart's delay is over: deploy as soon as no host is left. */
  deployDue: boolean;
}

/** Where a job's current attempt runs (JobRecord's fields; job-record.ts keeps a Draining). */
interface AttemptPlacement {
  id: string;
  attempt: number;
  taskManager: string | null;
  placements: { taskManager: string }[];
}

export const taskEnded = (state: TaskState): boolean => state === 'FINISHED' || state === 'CANCELED' || state === 'FAILED';

/**
 * Cancels the job's current attempt on each of its live taskmanagers but `endedOn` (whose task reported its
 * end); returns what is left to wait for, or null when nothing is.
 */
export function cancelAttempt(job: AttemptPlacement, taskManagers: ReadonlyMap<string, TaskManagerRecord>, endedOn: string | null): Draining | null {
  const hosts = new Set<string>();
  for (const id of new Set([job.taskManager, ...job.placements.map((p) => p.taskManager)])) {
    const tm = id && id !== endedOn ? taskManagers.get(id) : undefined;
    if (!tm) continue;
    tm.push({ type: 'cancel', jobId: job.id, attempt: job.attempt });
    hosts.add(tm.id);
  }
  return hosts.size ? { attempt: job.attempt, hosts, since: Date.now(), deployDue: false } : null;
}

/** Whether a heartbeat's reports show the draining attempt no longer running on that taskmanager. */
export function stoppedIn(draining: Draining, jobId: string, tasks: TaskReport[]): boolean {
  return !tasks.some((t) => t.jobId === jobId && t.attempt === draining.attempt && !taskEnded(t.state));
}
