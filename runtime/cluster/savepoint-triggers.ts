// Savepoints triggered through the REST API: a savepoint (then continue or cancel) or a stop-with-savepoint,
// sent to the task running the job; the operation's status by trigger id; the task's answer; and failing
// the open operations when the attempt they were sent to ends.
import type { Logger } from '../core/log.js';
import { intOption } from '../core/options.js';
import { badRequest, conflict, notFound } from './errors.js';
import { HEX32, newTriggerId } from './ids.js';
import type { Config } from './config.js';
import type { JobRecord, SavepointOperation } from './job-record.js';
import type { ErrorInfo, TaskEvent } from './protocol.js';
import { savepointTarget } from './snapshot-paths.js';
import type { TaskManagerRecord } from './taskmanager-registry.js';

type SavepointEvent = Extract<TaskEvent, { type: 'savepoint' }>;

export class SavepointTriggers {
  constructor(private readonly taskManagers: ReadonlyMap<string, TaskManagerRecord>, private readonly clusterConfig: Config, private readonly log: Logger) {}

  /** Returns the trigger id (the one given, when an operation with it exists already). */
  async trigger(job: JobRecord, targetDirectory: string | null | undefined, then: SavepointOperation['then'], drain = false, triggerId?: string | null): Promise<string> {
    if (triggerId && job.savepoints.has(triggerId)) return triggerId;
    if (job.state !== 'RUNNING' || job.taskState !== 'RUNNING') {
      throw conflict(`Job ${job.id} is ${job.state === 'RUNNING' ? 'still deploying' : job.state}: a ${then === 'stop' ? 'stop with savepoint' : 'savepoint'} needs a RUNNING job`);
    }
    if ([...job.savepoints.values()].some((o) => o.status === 'IN_PROGRESS' && o.then !== 'continue')) {
      throw conflict(`Job ${job.id} is already being stopped or cancelled with a savepoint`);
    }
    const dir = await savepointTarget(targetDirectory, job.config, this.clusterConfig);
    const id = triggerId ?? newTriggerId();
    if (!HEX32.test(id)) throw badRequest(`triggerId '${id}' is not a trigger id: expected 32 hexadecimal digits`);
    job.savepoints.set(id, { triggerId: id, status: 'IN_PROGRESS', location: null, failure: null, then });
    const tm = this.taskManagers.get(job.taskManager!)!;
    tm.push({ type: 'savepoint', jobId: job.id, attempt: job.attempt, triggerId: id, targetDirectory: dir, then, drain });
    this.log.info({ jobId: job.id, triggerId: id, target: dir, then, drain }, `Triggering ${then === 'stop' ? 'stop-with-savepoint' : then === 'cancel' ? 'cancel-with-savepoint' : 'savepoint'} for job ${job.id}.`);
    return id;
  }

  status(job: JobRecord, triggerId: string): SavepointOperation {
    if (!HEX32.test(triggerId)) throw badRequest(`'${triggerId}' is not a trigger id: expected 32 hexadecimal digits`);
    const op = job.savepoints.get(triggerId);
    if (!op) throw notFound(`There is no savepoint operation with triggerId=${triggerId} for job ${job.id}`);
    return op;
  }

  /** The task's answer to a trigger; returns whether it was for an open operation. */
  completed(job: JobRecord | undefined, ev: SavepointEvent): boolean {
    const op = job?.savepoints.get(ev.triggerId);
    if (!job || !op || op.status !== 'IN_PROGRESS') return false;
    const history = intOption(job.config, 'web.checkpoints.history', 10, 1);
    if (ev.path && ev.info) {
      job.recordCompleted(ev.info, ev.path, ev.endToEndMs ?? 0, history);
      complete(op, ev.path, null);
      this.log.info({ jobId: job.id, path: ev.path }, `Savepoint stored in ${ev.path}. Now ${op.then === 'stop' ? 'stopping' : op.then === 'cancel' ? 'cancelling' : 'resuming'} the job.`);
    } else {
      const error = ev.error ?? { name: 'CheckpointException', message: 'the savepoint failed' };
      job.recordFailedCheckpoint(ev.info?.id ?? job.checkpoints.nextId, true, error.message, history);
      complete(op, null, error);
      this.log.warn({ jobId: job.id, error: error.message }, `Savepoint for job ${job.id} failed.`);
    }
    return true;
  }

  /** The attempt the open operations were sent to ended: they fail with `message`. */
  abortOpen(job: JobRecord, message: string): void {
    for (const op of job.savepoints.values()) {
      if (op.status === 'IN_PROGRESS') complete(op, null, { name: 'CheckpointException', message });
    }
  }
}

function complete(op: SavepointOperation, location: string | null, failure: ErrorInfo | null): void {
  op.status = 'COMPLETED';
  op.location = location;
  op.failure = failure;
}
