// Checkpoint coordination on the jobmanager's side: a checkpoint a task took becomes "completed" only when
// accepted here (then it is the restore point and sources may commit, e.g. Kafka offsets), retention of
// `state.checkpoints.num-retained`, what an attempt restores from, a checkpoint found holding uncommitted
// output, and the cleanup of a terminated job's checkpoints.
import { rm } from 'node:fs/promises';
import type { Logger } from '../core/log.js';
import { intOption } from '../core/options.js';
import { CheckpointStorage, type CheckpointInfo } from '../state/checkpoint-storage.js';
import type { JobRecord } from './job-record.js';

export class CheckpointCoordinator {
  constructor(private readonly log: Logger) {}

  private storage(job: JobRecord): CheckpointStorage {
    return new CheckpointStorage(job.config['state.checkpoints.dir'], job.id);
  }

  private historySize(job: JobRecord): number {
    return intOption(job.config, 'web.checkpoints.history', 10, 1);
  }

  /** What the job's next attempt restores from (null: from the start), counted and logged as a restore. */
  restoreFor(job: JobRecord): string | null {
    const c = job.checkpoints;
    const restore = c.restorePath;
    if (!restore) return null;
    const isSavepoint = restore === job.savepointPath && !c.latestCompleted;
    c.counts.restored++;
    c.lastRestoreTimestamp = Date.now();
    c.restored = { id: isSavepoint ? 0 : c.latestCompleted!.id, restoreTimestamp: Date.now(), isSavepoint, externalPath: restore };
    this.log.info({ jobId: job.id, path: restore }, `Restoring job ${job.id} from ${isSavepoint ? 'Savepoint' : `Checkpoint ${c.latestCompleted!.id}`} located at ${restore}.`);
    return restore;
  }

  /**
   * A task reports a checkpoint it stored. Accepted only from the job's current attempt while RUNNING;
   * anything else is deleted. Returns whether it completed.
   */
  async acknowledge(job: JobRecord | undefined, current: boolean, path: string, info: CheckpointInfo, endToEndMs: number): Promise<boolean> {
    if (!job || !current || job.state !== 'RUNNING') {
      await rm(path, { recursive: true, force: true });
      return false;
    }
    job.recordCompleted(info, path, endToEndMs, this.historySize(job));
    // At least two: the previous checkpoint stays until the sinks have committed the newest one's output
    // (the task commits before its next snapshot, so by the next acceptance they have).
    const retained = Math.max(2, intOption(job.config, 'state.checkpoints.num-retained', 3, 1));
    job.checkpoints.retained = [...job.checkpoints.retained, info.id].slice(-retained);
    job.markDiscarded(await this.storage(job).retain(job.checkpoints.retained));
    this.log.info({ jobId: job.id, path }, `Completed checkpoint ${info.id} for job ${job.id} (${info.size} bytes, checkpointDuration=${endToEndMs} ms).`);
    return true;
  }

  failed(job: JobRecord, id: number, message: string): void {
    job.recordFailedCheckpoint(id, false, message, this.historySize(job));
    this.log.warn({ jobId: job.id, error: message }, `Checkpoint ${id} of job ${job.id} failed.`);
  }

  /**
   * A sink found that the output of the checkpoint it was restored from was never committed (the job died
   * between storing the checkpoint and committing): that checkpoint cannot be continued from. The next
   * attempt restores the one before it, whose replay writes that output again.
   */
  discardUncommitted(job: JobRecord): void {
    const c = job.checkpoints;
    const bad = c.latestCompleted;
    if (!bad || c.restorePath !== bad.externalPath) return;
    c.retained = c.retained.filter((id) => id !== bad.id);
    bad.discarded = true;
    void this.storage(job).discard(bad.id);
    const previous = c.history.find((s) => s.status === 'COMPLETED' && !s.isSavepoint && s.id === c.retained[c.retained.length - 1]) ?? null;
    c.latestCompleted = previous;
    c.restorePath = previous?.externalPath ?? job.savepointPath;
    this.log.warn({ jobId: job.id }, `Checkpoint ${bad.id} of job ${job.id} holds output its sinks never committed: discarded; the job restores ${previous ? `checkpoint ${previous.id}` : job.savepointPath ? 'its savepoint' : 'from the start'}.`);
  }

  /** A terminated job: its checkpoints are deleted or kept per Flink's externalized-checkpoint-retention. */
  async jobTerminated(job: JobRecord): Promise<void> {
    // Flink's execution.checkpointing.externalized-checkpoint-retention; sluice keeps them by default.
    const retention = job.config['execution.checkpointing.externalized-checkpoint-retention'] ?? 'RETAIN_ON_CANCELLATION';
    const discard = retention === 'NO_EXTERNALIZED_CHECKPOINTS' || (retention === 'DELETE_ON_CANCELLATION' && job.state === 'CANCELED');
    if (discard) await this.storage(job).discardAll().catch(() => {});
  }
}
