// Checkpoints and savepoints on disk, laid out as Flink's: `<state.checkpoints.dir>/<jobId>/chk-<n>/_metadata`
// for checkpoints (the cluster keeps the last `state.checkpoints.num-retained`), and
// `<target>/savepoint-<jobId prefix>-<random>/_metadata` for savepoints, which belong to the user and are
// never deleted by sluice. `_metadata` is JSON: what the checkpoint is (id, time, size, duration, the plan's
// operator ids) and the JobSnapshot. A file is written to a temporary name, fsynced, renamed and its
// directory fsynced, so a crash at any moment leaves either no `_metadata` or a complete one; a directory
// without `_metadata` is an unfinished checkpoint and is ignored.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { JobSnapshot } from '../exec/job-runner.js';

export const METADATA_FILE = '_metadata';
export const DEFAULT_NUM_RETAINED = 3;

export interface CheckpointInfo {
  kind: 'checkpoint' | 'savepoint';
  /** Checkpoint id within the job (savepoints take ids from the same counter, as in Flink). */
  id: number;
  jobId: string;
  jobName: string;
  /** When the snapshot was triggered (epoch ms). */
  timestamp: number;
  /** Trigger until the snapshot was taken, in ms (writing it comes on top). */
  durationMs: number;
  /** Bytes of the serialized snapshot. */
  size: number;
  /** Operator ids of the plan that took it: restoring into another plan shows what does not map. */
  operatorIds: string[];
}

export interface StoredCheckpoint {
  info: CheckpointInfo;
  snapshot: JobSnapshot;
  /** The checkpoint's directory. */
  path: string;
}

const snapshotSchema = z.object({
  sources: z.record(z.string(), z.unknown()),
  operators: z.record(z.string(), z.unknown()),
  watermarks: z.record(z.string(), z.unknown()),
});

const fileSchema = z.object({
  format: z.literal('sluice-checkpoint-v1'),
  info: z.object({
    kind: z.enum(['checkpoint', 'savepoint']),
    id: z.number().int(),
    jobId: z.string(),
    jobName: z.string(),
    timestamp: z.number(),
    durationMs: z.number(),
    size: z.number(),
    operatorIds: z.array(z.string()),
  }),
  snapshot: snapshotSchema,
});

/** `file:/x`, `file:///x` and plain paths name the same directory (Flink prints savepoints as file: URIs). */
export function localPath(p: string): string {
  const m = /^file:(?:\/\/)?(\/.*)$/.exec(p);
  return path.resolve(m ? m[1] : p);
}

/** Writes `data` to `file` so that a crash leaves the old file or the whole new one: temp, fsync, rename, fsync dir. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(temp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Serializes a snapshot with its description; the size is that of the snapshot part. The snapshot may come
 * serialized already (taken while the job's sources were parked, before any state could change again).
 */
function serialize(info: Omit<CheckpointInfo, 'size'>, snapshot: JobSnapshot | string): { text: string; info: CheckpointInfo } {
  const snap = typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot);
  const full: CheckpointInfo = { ...info, size: Buffer.byteLength(snap) };
  // Assembled by hand so the snapshot is serialized once.
  return { text: `{"format":"sluice-checkpoint-v1","info":${JSON.stringify(full)},"snapshot":${snap}}\n`, info: full };
}

/**
 * Writes a snapshot into a new directory `dir` (which must not exist: two writers never share one).
 * Returns its description with the final size.
 */
export async function writeSnapshotDir(dir: string, info: Omit<CheckpointInfo, 'size'>, snapshot: JobSnapshot | string): Promise<CheckpointInfo> {
  const { text, info: full } = serialize(info, snapshot);
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir);
  try {
    await writeFileAtomic(path.join(dir, METADATA_FILE), text);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  await fsyncDir(path.dirname(dir));
  return full;
}

/** Reads a checkpoint or savepoint: its directory, its `_metadata` file, or a file: URI of either. */
export async function readCheckpoint(location: string): Promise<StoredCheckpoint> {
  let p = localPath(location);
  const s = await stat(p).catch(() => null);
  if (!s) throw new UserError(`no savepoint or checkpoint at '${location}'`, 'give the directory printed by `sluice stop` or `sluice savepoint`');
  if (s.isDirectory()) p = path.join(p, METADATA_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(p, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(missing ? `'${location}' holds no ${METADATA_FILE}: not a savepoint or checkpoint, or an unfinished one` : `'${location}' is not a readable savepoint: ${(e as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`'${location}' is not a sluice savepoint or checkpoint (${parsed.error.issues[0]?.message ?? 'unexpected content'})`);
  return { info: parsed.data.info, snapshot: parsed.data.snapshot as JobSnapshot, path: path.dirname(p) };
}

/** Savepoint directory name as Flink's: savepoint-<first 6 of the job id>-<12 random hex>. */
export function savepointDirName(jobId: string): string {
  return `savepoint-${jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`;
}

/** Writes a savepoint into a fresh directory under `targetDirectory`; returns its path. */
export async function writeSavepoint(targetDirectory: string, info: Omit<CheckpointInfo, 'size' | 'kind'>, snapshot: JobSnapshot | string): Promise<{ path: string; info: CheckpointInfo }> {
  const dir = path.join(localPath(targetDirectory), savepointDirName(info.jobId));
  const full = await writeSnapshotDir(dir, { ...info, kind: 'savepoint' }, snapshot);
  return { path: dir, info: full };
}

/** One job's checkpoint directory: `<base>/<jobId>`, holding chk-<n> directories. */
export class CheckpointStorage {
  readonly dir: string;

  constructor(baseDir: string, readonly jobId: string) {
    this.dir = path.join(localPath(baseDir), jobId);
  }

  checkpointPath(id: number): string {
    return path.join(this.dir, `chk-${id}`);
  }

  async write(info: Omit<CheckpointInfo, 'size' | 'kind' | 'jobId'>, snapshot: JobSnapshot | string): Promise<{ path: string; info: CheckpointInfo }> {
    const dir = this.checkpointPath(info.id);
    const full = await writeSnapshotDir(dir, { ...info, kind: 'checkpoint', jobId: this.jobId }, snapshot);
    return { path: dir, info: full };
  }

  /** Completed checkpoints on disk (those with a `_metadata`), oldest first. */
  async list(): Promise<{ id: number; path: string }[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const found: { id: number; path: string }[] = [];
    for (const name of names) {
      const m = /^chk-(\d+)$/.exec(name);
      if (!m) continue;
      const p = path.join(this.dir, name);
      if (await stat(path.join(p, METADATA_FILE)).catch(() => null)) found.push({ id: Number(m[1]), path: p });
    }
    return found.sort((a, b) => a.id - b.id);
  }

  /** Deletes one checkpoint (a stale or failed one, or one past retention). */
  async discard(id: number): Promise<void> {
    await rm(this.checkpointPath(id), { recursive: true, force: true });
  }

  /** Every chk-<n> directory, finished or not. */
  private async allIds(): Promise<number[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.map((n) => /^chk-(\d+)$/.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
  }

  /**
   * Keeps `keep` (the newest completed checkpoints) and deletes every other checkpoint directory below the
   * newest of them: older ones, and leftovers of an attempt that was cut off (never accepted, perhaps half
   * written). Directories above it may be checkpoints being written now and are left alone. Returns the ids deleted.
   */
  async retain(keep: number[]): Promise<number[]> {
    const newest = Math.max(...keep);
    const drop = (await this.allIds()).filter((id) => id < newest && !keep.includes(id));
    for (const id of drop) await this.discard(id);
    return drop;
  }

  /** The highest checkpoint id used in the directory, finished or not (0 if none): a new attempt numbers above it. */
  async highestId(): Promise<number> {
    return Math.max(0, ...(await this.allIds()));
  }

  /** Removes the job's checkpoint directory (a terminated job whose checkpoints are not retained). */
  async discardAll(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
