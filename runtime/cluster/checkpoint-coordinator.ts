// Checkpoint coordination on the jobmanager's side. A checkpoint a task wrote becomes "completed" only when
// accepted here: the jobmanager writes its `_metadata` (last, atomically, as Flink's coordinator does),
// then it is the restore point and sources may commit (e.g. Kafka offsets). Also: retention of exactly
// `state.checkpoints.num-retained`, what an attempt restores from, falling back past a checkpoint that
// cannot be restored (unreadable, corrupt, or holding output its sinks never committed), and the cleanup
// of a terminated job's checkpoints. With a job store (job-store.ts), a checkpoint is acknowledged only once
// the status naming it is on disk, and a recovered job's checkpoint directory is trimmed to what it retains.
import { rm } from 'node:fs/promises';
import type { Logger } from '../core/log.js';
import { intOption } from '../core/options.js';
import { CheckpointStorage, completeSnapshot, type CheckpointInfo } from '../state/checkpoint-storage.js';
import type { CheckpointStat, JobRecord } from './job-record.js';

/** Where the coordinator makes a completed checkpoint durable before the task may commit its output. */
export interface StatusStore {
  save(job: JobRecord): Promise<void>;
}

export class CheckpointCoordinator {
  constructor(private readonly log: Logger, private readonly store: StatusStore | null = null) {}

  private storage(job: JobRecord): CheckpointStorage {
    return new CheckpointStorage(job.config['state.checkpoints.dir'], job.id);
  }

  private historySize(job: JobRecord): number {
    return intOption(job.config, 'web.checkpoints.history', 10, 1);
  }

  private numRetained(job: JobRecord): number {
    return intOption(job.config, 'state.checkpoints.num-retained', 3, 1);
  }

  /** What the job's next attempt restores from (null: from the start), counted and logged as a restore. */
  restoreFor(job: JobRecord): string | null {
    const c = job.checkpoints;
    const restore = c.restorePath;
    if (!restore) return null;
    const checkpoint = c.latestCompleted && c.latestCompleted.externalPath === restore ? c.latestCompleted : null;
    c.counts.restored++;
    c.lastRestoreTimestamp = Date.now();
    c.restored = { id: checkpoint?.id ?? 0, restoreTimestamp: Date.now(), isSavepoint: !checkpoint, externalPath: restore };
    this.log.info({ jobId: job.id, path: restore }, `Restoring job ${job.id} from ${checkpoint ? `Checkpoint ${checkpoint.id}` : 'Savepoint'} located at ${restore}.`);
    return restore;
  }

  /**
   * A task wrote a checkpoint's state. Completed only for the job's current attempt while RUNNING: the
   * `_metadata` is written, then it counts; anything else is deleted. Returns whether it completed.
   * The location is the job's own checkpoint directory, never a path the caller names.
   */
  async acknowledge(job: JobRecord | undefined, current: boolean, info: CheckpointInfo, sha256: string, endToEndMs: number): Promise<boolean> {
    if (!job) return false;
    const path = this.storage(job).checkpointPath(info.id);
    if (!current || job.state !== 'RUNNING' || info.kind !== 'checkpoint' || info.jobId !== job.id) {
      await rm(path, { recursive: true, force: true });
      return false;
    }
    try {
      await completeSnapshot({ path, info, sha256 });
    } catch (e) {
      this.failed(job, info.id, `the jobmanager could not complete it: ${(e as Error).message}`);
      return false;
    }
    const stat = job.recordCompleted(info, path, endToEndMs, this.historySize(job));
    // The previous checkpoint stays until the sinks have committed the newest one's output (committed()):
    // should that commit fail, the job falls back to it. With num-retained >= 2 it is among those kept anyway.
    const keep = [...job.checkpoints.retained, stat].slice(-Math.max(2, this.numRetained(job)));
    job.checkpoints.retained = keep;
    // On disk before the task hears of it: a jobmanager killed after this restores this checkpoint, one
    // killed before restores the previous one, whose sinks never committed this one's output.
    try {
      await this.store?.save(job);
    } catch (e) {
      this.log.error({ jobId: job.id, error: (e as Error).message }, `Checkpoint ${info.id} of job ${job.id} is complete but its pointer could not be stored: not acknowledged (${(e as Error).message}).`);
      return false;
    }
    await this.retain(job, keep);
    this.log.info({ jobId: job.id, path }, `Completed checkpoint ${info.id} for job ${job.id} (${info.size} bytes, checkpointDuration=${endToEndMs} ms).`);
    return true;
  }

  /** The sinks committed the newest checkpoint's output: exactly num-retained checkpoints remain. */
  async committed(job: JobRecord, id: number): Promise<void> {
    const retained = job.checkpoints.retained;
    if (retained[retained.length - 1]?.id !== id || retained.length <= this.numRetained(job)) return;
    await this.retain(job, retained.slice(-this.numRetained(job)));
  }

  private async retain(job: JobRecord, keep: CheckpointStat[]): Promise<void> {
    job.checkpoints.retained = keep;
    job.onChange?.();
    job.markDiscarded(await this.storage(job).retain(keep.map((s) => s.id)));
  }

  /**
   * A job a restarted jobmanager recovered: its checkpoint directory keeps the checkpoints it retains and
   * loses what a killed attempt or jobmanager left below the newest of them (state.checkpoints.num-retained).
   */
  async recovered(job: JobRecord): Promise<void> {
    const keep = job.checkpoints.retained;
    if (keep.length) job.markDiscarded(await this.storage(job).retain(keep.map((s) => s.id)));
  }

  failed(job: JobRecord, id: number, message: string): void {
    job.recordFailedCheckpoint(id, false, message, this.historySize(job));
    this.log.warn({ jobId: job.id, error: message }, `Checkpoint ${id} of job ${job.id} failed: ${message}`);
  }

  /**
   * The attempt could not continue from what it restored: the checkpoint is unreadable or corrupt, or a
   * sink found that its output was never committed (the job died between storing it and committing). The
   * next attempt restores the newest retained checkpoint before it (a replay writes that output again).
   * Returns what the job does now, for the exception history and the log; null when nothing is left to
   * fall back to (the restore point was the savepoint or checkpoint the job was started from).
   */
  skipRestorePoint(job: JobRecord, why: string): string | null {
    const c = job.checkpoints;
    const bad = c.restored?.externalPath ?? c.restorePath;
    const badStat = c.retained.find((s) => s.externalPath === bad);
    if (!badStat) return null;
    c.retained = c.retained.filter((s) => s !== badStat);
    badStat.discarded = true;
    void this.storage(job).discard(badStat.id);
    const previous = c.retained[c.retained.length - 1] ?? null;
    c.latestCompleted = previous;
    c.restorePath = previous?.externalPath ?? job.savepointPath;
    const next = previous ? `checkpoint ${previous.id}` : job.savepointPath ? `its savepoint ${job.savepointPath}` : 'from the start';
    this.log.warn({ jobId: job.id, checkpoint: badStat.id, path: bad }, `Checkpoint ${badStat.id} of job ${job.id} ${why}: skipped; the job restores ${next}.`);
    return `checkpoint ${badStat.id} skipped; the job restores ${next}`;
  }

  /** A terminated job: its checkpoints are deleted or kept per Flink's externalized-checkpoint-retention. */
  async jobTerminated(job: JobRecord): Promise<void> {
    // Flink's execution.checkpointing.externalized-checkpoint-retention; sluice keeps them by default.
    const retention = job.config['execution.checkpointing.externalized-checkpoint-retention'] ?? 'RETAIN_ON_CANCELLATION';
    const discard = retention === 'NO_EXTERNALIZED_CHECKPOINTS' || (retention === 'DELETE_ON_CANCELLATION' && job.state === 'CANCELED');
    if (discard) await this.storage(job).discardAll().catch(() => {});
  }
}
