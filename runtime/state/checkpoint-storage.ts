// Checkpoints and savepoints on disk, laid out as Flink's: `<state.checkpoints.dir>/<jobId>/chk-<n>/` for
// checkpoints (the cluster keeps the last `state.checkpoints.num-retained`) and
// `<target>/savepoint-<jobId prefix>-<random>/` for savepoints, which belong to the user and are never
// deleted by sluice. A snapshot directory holds two files:
//   _state     the JobSnapshot as JSON, written by the task that took it;
//   _metadata  what the snapshot is (id, time, size, the plan's operator ids) and the SHA-256 of `_state`,
//              written last, when the snapshot is complete: by the jobmanager when it accepts a checkpoint
//              (as Flink's _metadata is written by the checkpoint coordinator), by the task for a savepoint
//              once its output is committed.
// A directory without `_metadata` is an incomplete snapshot (a jobmanager that died before accepting it, a
// savepoint whose commit failed): never listed, retained or restored. A `_state` that does not match its
// checksum is a corrupt one. Every file is written to a temporary name, fsynced, renamed and its directory
// fsynced, so a crash leaves either no file or the whole file.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import { UserError } from '../core/errors.js';

/** A job's state at a checkpoint, as the runner takes and restores it. */
export interface JobSnapshot {
  /** Source positions by operator id. */
  sources: Record<string, unknown>;
  /** Operator state by operator id. */
  operators: Record<string, unknown>;
  /** Watermark trackers by source operator id. */
  watermarks: Record<string, unknown>;
  /**
   * A job that ran as parallel subtasks (runtime/exec/parallel/): its parallelism and one part per subtask,
   * each shaped as a single task's snapshot (the fields above are then empty).
   */
  parallelism?: number;
  subtasks?: JobSnapshot[];
  /**
   * Restoring only (runtime/exec/redistribute.ts): state of subtasks that no longer exist, for operators whose
   * state is not keyed (a sink's pending transaction), by operator id; subtask 0 receives it to finish or abort
   * (SinkWriter.takeOver).
   */
  handover?: Record<string, HandedOver[]>;
}

/** The state a subtask that no longer exists left, with its index at the parallelism the snapshot was taken at. */
export interface HandedOver {
  subtask: number;
  state: unknown;
}

export const METADATA_FILE = '_metadata';
export const STATE_FILE = '_state';
/** A `_metadata` is a few hundred bytes; anything far larger is not one (and is not read into memory). */
const MAX_METADATA_BYTES = 1 << 20;
const FORMAT = 'sluice-checkpoint-v2';

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

/** A snapshot whose `_state` is written and which waits for its `_metadata` to be complete. */
export interface PendingSnapshot {
  path: string;
  info: CheckpointInfo;
  /** SHA-256 (hex) of the `_state` file. */
  sha256: string;
}

export interface StoredCheckpoint {
  info: CheckpointInfo;
  snapshot: JobSnapshot;
  /** The snapshot's directory. */
  path: string;
}

const partSchema = z.object({
  sources: z.record(z.string(), z.unknown()),
  operators: z.record(z.string(), z.unknown()),
  watermarks: z.record(z.string(), z.unknown()),
});
const snapshotSchema = z.extend(partSchema, {
  parallelism: z.optional(z.int().check(z.positive())),
  subtasks: z.optional(z.array(partSchema)),
});

export const checkpointInfoSchema = z.object({
  kind: z.enum(['checkpoint', 'savepoint']),
  id: z.int(),
  jobId: z.string(),
  jobName: z.string(),
  timestamp: z.number(),
  durationMs: z.number(),
  size: z.number(),
  operatorIds: z.array(z.string()),
});

const metadataSchema = z.object({
  format: z.literal(FORMAT),
  info: checkpointInfoSchema,
  state: z.object({ file: z.literal(STATE_FILE), sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)), bytes: z.int() }),
  completedAt: z.number(),
});

/** Savepoints of the first format (snapshot inside `_metadata`, complete once written) stay readable. */
const legacySavepointSchema = z.object({
  format: z.literal('sluice-checkpoint-v1'),
  info: z.extend(checkpointInfoSchema, { kind: z.literal('savepoint') }),
  snapshot: snapshotSchema,
});

/**
 * A snapshot that cannot be restored. The message says only what a caller may know (no file content, no
 * difference between a missing and an unreadable path); `reason` is the detail for the logs of whoever reads it.
 */
export class UnreadableCheckpointError extends UserError {
  constructor(message: string, readonly location: string, readonly reason: string, hint?: string) {
    super(message, hint);
    this.name = 'UnreadableCheckpointError';
  }
}

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
 * Writes a snapshot's `_state` into a new directory `dir` (which must not exist: two writers never share
 * one). The snapshot may come serialized already (taken while the job's sources were parked, before any
 * state could change again). The snapshot is complete only once completeSnapshot() wrote its `_metadata`.
 */
export async function writeSnapshotState(dir: string, info: Omit<CheckpointInfo, 'size'>, snapshot: JobSnapshot | string): Promise<PendingSnapshot> {
  const text = typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot);
  const full: CheckpointInfo = { ...info, size: Buffer.byteLength(text) };
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir);
  try {
    await writeFileAtomic(path.join(dir, STATE_FILE), text);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  await fsyncDir(path.dirname(dir));
  return { path: dir, info: full, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Marks a written snapshot complete: its `_metadata`, atomically. From now on it is a restore point. */
export async function completeSnapshot(pending: PendingSnapshot): Promise<void> {
  const metadata: z.infer<typeof metadataSchema> = {
    format: FORMAT,
    info: pending.info,
    state: { file: STATE_FILE, sha256: pending.sha256, bytes: pending.info.size },
    completedAt: Date.now(),
  };
  await writeFileAtomic(path.join(pending.path, METADATA_FILE), `${JSON.stringify(metadata)}\n`);
}

/** Reads a regular file of at most `max` bytes; null when the path is anything else (missing, a directory, a device). */
async function readRegularFile(file: string, max: number): Promise<Buffer | null> {
  const s = await lstat(file).catch(() => null);
  if (!s?.isFile() || s.size > max) return null;
  return readFile(file).catch(() => null);
}

/**
 * Reads and verifies a completed checkpoint or savepoint: its directory, its `_metadata` file, or a file:
 * URI of either. Only regular files are read; whatever is wrong, the message says the same for a path that
 * does not exist and for one that is not a snapshot, and quotes nothing from the files.
 */
export async function readCheckpoint(location: string): Promise<StoredCheckpoint> {
  let dir = localPath(location);
  if (path.basename(dir) === METADATA_FILE) dir = path.dirname(dir);
  const kindGuess = /^chk-\d+$/.test(path.basename(dir)) ? 'checkpoint' : 'savepoint';
  const unreadable = (reason: string, kind: string = kindGuess) =>
    new UnreadableCheckpointError(`'${location}' is not a readable ${kind}`, location, reason, 'give the directory printed by `sluice stop` or `sluice savepoint`, or a completed chk-<n> directory');

  const meta = await readRegularFile(path.join(dir, METADATA_FILE), MAX_METADATA_BYTES);
  if (!meta) {
    if (await lstat(path.join(dir, STATE_FILE)).then((s) => s.isFile(), () => false)) {
      throw new UnreadableCheckpointError(`'${location}' is an incomplete ${kindGuess}: it was never completed (no ${METADATA_FILE})`, location, 'no _metadata');
    }
    throw unreadable('no readable _metadata');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(meta.toString('utf8'));
  } catch {
    throw unreadable('_metadata is not JSON');
  }
  const legacy = legacySavepointSchema.safeParse(raw);
  if (legacy.success) return { info: legacy.data.info, snapshot: legacy.data.snapshot as JobSnapshot, path: dir };
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success) throw unreadable(`_metadata does not describe a sluice snapshot (${parsed.error.issues[0]?.message ?? 'unexpected content'})`);
  const { info, state } = parsed.data;
  const bytes = await readRegularFile(path.join(dir, STATE_FILE), Number.MAX_SAFE_INTEGER);
  if (!bytes) throw unreadable(`${STATE_FILE} is missing`, info.kind);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== state.sha256 || bytes.length !== state.bytes) {
    throw new UnreadableCheckpointError(`'${location}' is a corrupt ${info.kind}: its ${STATE_FILE} does not match the checksum in its ${METADATA_FILE}`, location, 'checksum mismatch');
  }
  let snapshot: unknown;
  try {
    snapshot = snapshotSchema.parse(JSON.parse(bytes.toString('utf8')));
  } catch {
    throw unreadable(`${STATE_FILE} is not a snapshot`, info.kind);
  }
  return { info, snapshot: snapshot as JobSnapshot, path: dir };
}

/**
 * readCheckpoint, and when the location is a checkpoint of a job directory that holds others, the message
 * names the newest one that can be restored: what a user starting with `-s` wants to hear.
 */
export async function readCheckpointOrSuggest(location: string): Promise<StoredCheckpoint> {
  try {
    return await readCheckpoint(location);
  } catch (e) {
    if (!(e instanceof UnreadableCheckpointError)) throw e;
    let dir = localPath(location);
    if (path.basename(dir) === METADATA_FILE) dir = path.dirname(dir);
    if (!/^chk-\d+$/.test(path.basename(dir))) throw e;
    const good = await newestReadable(path.dirname(dir), dir);
    const advice = good ? `the newest completed checkpoint there is ${good}` : 'no completed checkpoint there is readable';
    throw new UnreadableCheckpointError(`${e.message}; ${advice}`, e.location, e.reason, good ? `restore it with -s ${good}` : e.hint);
  }
}

/** The newest completed, verified checkpoint in a job's checkpoint directory other than `except`. */
async function newestReadable(jobDir: string, except: string): Promise<string | null> {
  for (const c of (await listCompleted(jobDir)).reverse()) {
    if (c.path === except) continue;
    if (await readCheckpoint(c.path).then(() => true, () => false)) return c.path;
  }
  return null;
}

/** Completed checkpoints (chk-<n> with a `_metadata`) in a job's checkpoint directory, oldest first. */
async function listCompleted(jobDir: string): Promise<{ id: number; path: string }[]> {
  const names = await readdir(jobDir).catch(() => [] as string[]);
  const found: { id: number; path: string }[] = [];
  for (const name of names) {
    const m = /^chk-(\d+)$/.exec(name);
    if (!m) continue;
    const p = path.join(jobDir, name);
    if (await stat(path.join(p, METADATA_FILE)).catch(() => null)) found.push({ id: Number(m[1]), path: p });
  }
  return found.sort((a, b) => a.id - b.id);
}

/** Savepoint directory name as Flink's: savepoint-<first 6 of the job id>-<12 random hex>. */
export function savepointDirName(jobId: string): string {
  return `savepoint-${jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`;
}

/** Writes a savepoint's state into a fresh directory under `targetDirectory`; complete it with completeSnapshot(). */
export async function writeSavepoint(targetDirectory: string, info: Omit<CheckpointInfo, 'size' | 'kind'>, snapshot: JobSnapshot | string): Promise<PendingSnapshot> {
  const dir = path.join(localPath(targetDirectory), savepointDirName(info.jobId));
  return writeSnapshotState(dir, { ...info, kind: 'savepoint' }, snapshot);
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

  /** Writes a checkpoint's state; it becomes a completed checkpoint when the jobmanager accepts it (completeSnapshot). */
  write(info: Omit<CheckpointInfo, 'size' | 'kind' | 'jobId'>, snapshot: JobSnapshot | string): Promise<PendingSnapshot> {
    return writeSnapshotState(this.checkpointPath(info.id), { ...info, kind: 'checkpoint', jobId: this.jobId }, snapshot);
  }

  /** Completed checkpoints on disk (those with a `_metadata`), oldest first. */
  list(): Promise<{ id: number; path: string }[]> {
    return listCompleted(this.dir);
  }

  /** Deletes one checkpoint (a stale or failed one, or one past retention). */
  async discard(id: number): Promise<void> {
    await rm(this.checkpointPath(id), { recursive: true, force: true });
  }

  /** Every chk-<n> directory, complete or not. */
  private async allIds(): Promise<number[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.map((n) => /^chk-(\d+)$/.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
  }

  /**
   * Keeps `keep` (the newest completed checkpoints) and deletes every other checkpoint directory below the
   * newest of them: older ones, and leftovers of an attempt that was cut off (never completed, perhaps half
   * written). Directories above it may be checkpoints being written now and are left alone. Returns the ids deleted.
   */
  async retain(keep: number[]): Promise<number[]> {
    const newest = Math.max(...keep);
    const drop = (await this.allIds()).filter((id) => id < newest && !keep.includes(id));
    for (const id of drop) await this.discard(id);
    return drop;
  }

  /** The highest checkpoint id used in the directory, complete or not (0 if none): a new attempt numbers above it. */
  async highestId(): Promise<number> {
    return Math.max(0, ...(await this.allIds()));
  }

  /** Removes the job's checkpoint directory (a terminated job whose checkpoints are not retained). */
  async discardAll(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
