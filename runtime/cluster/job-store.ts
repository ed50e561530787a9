// The jobmanager's durable memory, as Flink's high-availability services keep it (JobGraphStore, the
// completed-checkpoint store and counter, the job result store), in the cluster directory so that a
// `kill -9` of the jobmanager loses no job. Per job, in `<cluster dir>/jobs/<jobId>/`:
//   bundle.mjs    the job's own copy of its bundle (job-submission.ts);
//   job.json      its definition: plan with run-time overrides, configuration, restore settings. Written
//                 once, before the submission is answered;
//   status.json   what happened since: state and its timestamps, attempt, restarts, exception history,
//                 savepoint operations, checkpoint counts, history and pointers (latest completed, retained,
//                 restore point), the internal topics of its spread attempts (deleted with the job).
//                 Rewritten on every change; a completed checkpoint is acknowledged to the task only once
//                 the status naming it is on disk (acknowledge() awaits save()), so a sink never commits
//                 output of a checkpoint that a restarted jobmanager would not restore.
// Both files are written atomically (temporary file, fsync, rename, fsync of the directory): a crash leaves
// the old file or the new one. A restarted jobmanager reads them all back (recover()).
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import type { JobPlan } from '../core/plan.js';
import { writeFileAtomic } from '../state/checkpoint-storage.js';
import type { Config } from './config.js';
import { HEX32 } from './ids.js';
import { JOB_STATES, type CheckpointStat, type JobRecord, type SavepointOperation } from './job-record.js';

const FORMAT = 'sluice-job-v1';

/** What a job is; fixed once submitted. */
export interface JobDefinition {
  id: string;
  name: string;
  plan: JobPlan;
  config: Config;
  bundle: string;
  checkpointIntervalMs: number;
  allowNonRestoredState: boolean;
  savepointPath: string | null;
  startTime: number;
}

const definitionSchema = z.object({
  format: z.literal(FORMAT),
  id: z.string().regex(HEX32),
  name: z.string(),
  plan: z.object({ name: z.string(), nodes: z.array(z.unknown()) }).passthrough(),
  config: z.record(z.string(), z.string()),
  bundle: z.string(),
  checkpointIntervalMs: z.number(),
  allowNonRestoredState: z.boolean(),
  savepointPath: z.string().nullable(),
  startTime: z.number(),
});

// The status is the jobmanager's own output read back: its shape is checked at the top, the rest trusted.
const statusSchema = z.object({
  format: z.literal(FORMAT),
  state: z.enum(JOB_STATES),
  timestamps: z.record(z.string(), z.number()),
  endTime: z.number(),
  lastModification: z.number(),
  attempt: z.number().int(),
  numRestarts: z.number().int(),
  parallelism: z.number().int().positive(),
  exceptions: z.array(z.object({ exceptionName: z.string(), message: z.string() }).passthrough()),
  savepoints: z.array(z.object({ triggerId: z.string(), status: z.enum(['IN_PROGRESS', 'COMPLETED']) }).passthrough()),
  checkpoints: z.object({ nextId: z.number().int(), counts: z.record(z.string(), z.number()), history: z.array(z.unknown()), retained: z.array(z.unknown()) }).passthrough(),
  // Absent in a status an earlier sluice wrote.
  internalTopics: z.object({ properties: z.record(z.string(), z.string()), parallelisms: z.array(z.number().int().positive()) }).nullable().optional(),
});

export type JobStatus = z.infer<typeof statusSchema>;

/** A job read back: its definition and status; the caller builds the record (restart strategy etc.). */
export interface StoredJob {
  definition: JobDefinition;
  status: JobStatus | null;
}

export class JobStore {
  /** Per job: the write in flight, and whether another one must follow it (changes since it started). */
  private readonly writes = new Map<string, { running: Promise<void>; next: Promise<void> | null }>();

  constructor(private readonly dir: string, private readonly log: Logger) {}

  private file(jobId: string, name: 'job.json' | 'status.json'): string {
    return path.join(this.dir, jobId, name);
  }

  /** A new job: its definition, then its status. Awaited before the submission is answered. */
  async create(job: JobRecord): Promise<void> {
    const definition: JobDefinition & { format: string } = {
      format: FORMAT, id: job.id, name: job.name, plan: job.plan, config: job.config, bundle: job.bundle,
      checkpointIntervalMs: job.checkpointIntervalMs, allowNonRestoredState: job.allowNonRestoredState,
      savepointPath: job.savepointPath, startTime: job.startTime,
    };
    await writeFileAtomic(this.file(job.id, 'job.json'), JSON.stringify(definition));
    await this.save(job);
  }

  /**
   * Writes the job's status as it is when the write starts, after any write in flight; resolves once a write
   * that began after this call is on disk. Calls in quick succession share one write.
   */
  save(job: JobRecord): Promise<void> {
    let w = this.writes.get(job.id);
    if (!w) this.writes.set(job.id, (w = { running: Promise.resolve(), next: null }));
    const slot = w;
    if (!slot.next) {
      const next = slot.running.then(() => {
        slot.next = null;
        return writeFileAtomic(this.file(job.id, 'status.json'), JSON.stringify(statusOf(job)));
      });
      slot.next = next;
      slot.running = next.catch(() => {});
    }
    return slot.next;
  }

  /** Saves after every change the record announces (state, checkpoints, exceptions); a failed write is logged. */
  watch(job: JobRecord): void {
    job.onChange = () => void this.save(job).catch((e: Error) => this.log.error({ jobId: job.id, error: e.message }, `could not store the status of job ${job.id}: ${e.message}`));
  }

  /** Removes a job's directory (a submission that was never answered). */
  async remove(jobId: string): Promise<void> {
    this.writes.delete(jobId);
    await rm(path.join(this.dir, jobId), { recursive: true, force: true });
  }

  /**
   * Every stored job. A directory without a definition is a submission the jobmanager died in before
   * answering it: removed. One whose files cannot be read is left where it is, and said so.
   */
  async recover(): Promise<StoredJob[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const found: StoredJob[] = [];
    for (const name of names) {
      if (!HEX32.test(name) || !(await stat(path.join(this.dir, name)).then((s) => s.isDirectory(), () => false))) continue;
      const text = await readFile(this.file(name, 'job.json'), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
      if (text === null) {
        this.log.info({ jobId: name }, `Removing ${path.join(this.dir, name)}: a submission that never completed.`);
        await this.remove(name);
        continue;
      }
      try {
        const definition = definitionSchema.parse(JSON.parse(text)) as unknown as JobDefinition;
        if (definition.id !== name) throw new Error(`it names job ${definition.id}`);
        const statusText = await readFile(this.file(name, 'status.json'), 'utf8').catch(() => null);
        const status = statusText === null ? null : statusSchema.parse(JSON.parse(statusText));
        found.push({ definition, status });
      } catch (e) {
        this.log.error({ jobId: name, error: (e as Error).message }, `Cannot recover job ${name} from ${path.join(this.dir, name)}: ${(e as Error).message}. It is left there.`);
      }
    }
    return found.sort((a, b) => a.definition.startTime - b.definition.startTime);
  }
}

function statusOf(job: JobRecord): Record<string, unknown> {
  return {
    format: FORMAT,
    state: job.state,
    timestamps: job.timestamps as Record<string, number>,
    endTime: job.endTime,
    lastModification: job.lastModification,
    attempt: job.attempt,
    numRestarts: job.numRestarts,
    parallelism: job.parallelism,
    exceptions: job.exceptions,
    savepoints: [...job.savepoints.values()],
    checkpoints: job.checkpoints,
    internalTopics: job.internalTopics,
  };
}

/** Puts a stored status back into a freshly built record. */
export function applyStatus(job: JobRecord, s: JobStatus): void {
  job.state = s.state;
  Object.assign(job.timestamps, s.timestamps);
  job.endTime = s.endTime;
  job.lastModification = s.lastModification;
  job.attempt = s.attempt;
  job.numRestarts = s.numRestarts;
  job.parallelism = s.parallelism;
  job.internalTopics = s.internalTopics ?? null;
  job.exceptions.push(...(s.exceptions as unknown as JobRecord['exceptions']));
  for (const op of s.savepoints as unknown as SavepointOperation[]) job.savepoints.set(op.triggerId, op);
  Object.assign(job.checkpoints, s.checkpoints);
  // One object per checkpoint again (JSON made copies): marking a retained one discarded marks its history entry.
  const c = job.checkpoints;
  const same = new Map(c.history.map((h) => [`${h.id}/${h.isSavepoint}`, h]));
  const relink = <T extends CheckpointStat | null>(x: T): T => (x ? ((same.get(`${x.id}/${x.isSavepoint}`) as T | undefined) ?? x) : x);
  c.retained = c.retained.map(relink);
  c.latestCompleted = relink(c.latestCompleted);
  c.latestSavepoint = relink(c.latestSavepoint);
  c.latestFailed = relink(c.latestFailed);
}
