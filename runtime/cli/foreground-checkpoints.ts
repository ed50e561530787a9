// Checkpoints of a foreground run (`sluice run` without a cluster, `node x.mjs`), issue 13.7: with
// `execution.checkpointing.interval` set, the job is checkpointed as in the cluster — same format (_state, then
// _metadata with its checksum, written last), same place (`state.checkpoints.dir`, default the cluster
// directory's `checkpoints/`, under a job id of its own), same retention (`state.checkpoints.num-retained`) —
// and Ctrl-C / SIGTERM stop with a final checkpoint: the sources stop at the snapshot, so nothing after it reaches
// a sink, and `sluice run -s <it>` resumes with the open windows. Here the process is its own jobmanager:
// a checkpoint is complete once its _metadata is written, and only then do the sinks commit its output.
import { clusterPaths } from '../cluster/cluster-dir.js';
import { newJobId } from '../cluster/ids.js';
import type { JobPlan } from '../core/plan.js';
import { parseDuration } from '../core/options.js';
import type { Logger } from '../core/log.js';
import { UserError } from '../core/errors.js';
import type { JobRun } from '../exec/job-runner.js';
import { runtimeMode } from '../exec/runtime-mode.js';
import { CheckpointStorage, completeSnapshot, type StoredCheckpoint } from '../state/checkpoint-storage.js';

export interface ForegroundCheckpointSettings {
  intervalMs: number;
  dir: string;
  retained: number;
}

/** The job's checkpoint settings, or null when it takes no checkpoints (no interval, 0, or a batch). */
export function foregroundCheckpointSettings(config: Record<string, string>): ForegroundCheckpointSettings | null {
  const interval = config['execution.checkpointing.interval'];
  if (interval === undefined) return null;
  let intervalMs: number;
  try {
    intervalMs = parseDuration(interval);
  } catch (e) {
    throw new UserError(`execution.checkpointing.interval: ${(e as Error).message}`, "a duration such as '10 s' or '500ms'");
  }
  // A batch is run again when it fails (docs/running-jobs.md): it takes no checkpoints.
  if (intervalMs <= 0 || runtimeMode(config) === 'batch') return null;
  const retained = Number(config['state.checkpoints.num-retained'] ?? 3);
  if (!Number.isInteger(retained) || retained < 1) throw new UserError(`state.checkpoints.num-retained must be an integer of at least 1, got '${config['state.checkpoints.num-retained']}'`);
  return { intervalMs, dir: config['state.checkpoints.dir'] ?? clusterPaths().checkpointsDir, retained };
}

export class ForegroundCheckpoints {
  readonly jobId = newJobId();
  private readonly storage: CheckpointStorage;
  private readonly operatorIds: string[];
  private nextId: number;
  private timer: NodeJS.Timeout | null = null;
  /** Snapshots run one at a time: a periodic one and the final one never overlap. */
  private ops: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** The newest completed checkpoint, for the status line. */
  lastCompleted: { id: number; at: number } | null = null;

  constructor(private readonly plan: JobPlan, private readonly runner: JobRun, private readonly settings: ForegroundCheckpointSettings,
    private readonly log: Logger, restoredFrom: StoredCheckpoint | null) {
    this.storage = new CheckpointStorage(settings.dir, this.jobId);
    this.operatorIds = plan.nodes.map((n) => n.id);
    // Ids go on from the snapshot restored, as Flink's checkpoint ids do.
    this.nextId = (restoredFrom?.info.id ?? 0) + 1;
  }

  /** Starts the periodic checkpoints once records flow. */
  start(): void {
    void this.runner.started.then(() => this.schedule());
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ops = this.ops.then(() => this.checkpoint(false)).catch((e) => this.log.warn({ err: e }, 'checkpoint failed')).finally(() => this.schedule());
    }, this.settings.intervalMs);
  }

  /** The final checkpoint: the job stops right after it. Resolves with its directory. */
  stopWithCheckpoint(): Promise<string> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const final = this.ops.then(() => this.checkpoint(true));
    this.ops = final.catch(() => {});
    return final;
  }

  /** Ends periodic checkpoints (the job ended by itself). */
  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async checkpoint(stop: boolean): Promise<string> {
    const id = this.nextId++;
    const started = Date.now();
    let written = '';
    const persist = async (text: string, snapshot: Parameters<JobRun['checkpointComplete']>[0]) => {
      const pending = await this.storage.write({ id, jobName: this.plan.name, timestamp: started, durationMs: Date.now() - started, operatorIds: this.operatorIds }, text);
      await completeSnapshot(pending);
      // Complete first, then commit its output: a crash in between restores this checkpoint, whose output the
      // sinks commit on restore (as after a jobmanager that accepted a checkpoint the task never heard back of).
      await this.runner.checkpointComplete(snapshot);
      written = pending.path;
    };
    if (stop) {
      // Written while the sources are parked, before they stop: nothing after it reaches a sink.
      await this.runner.snapshot({ stop: true, persist: (s) => persist(JSON.stringify(s), s) });
    } else {
      // Serialized while the sources are parked; written while the job goes on.
      let text = '';
      const snap = await this.runner.snapshot({ persist: async (s) => { text = JSON.stringify(s); } });
      await persist(text, snap);
    }
    const kept = (await this.storage.list()).map((c) => c.id).slice(-this.settings.retained);
    await this.storage.retain(kept);
    this.lastCompleted = { id, at: Date.now() };
    this.log.info({ path: written }, `checkpoint ${id} written`);
    return written;
  }
}
