// The filesystem sink writer: rows encoded one per line into `path`/part-<subtask>-<n>.<format> (each parallel
// subtask writes its own parts, as Flink names them by subtask index), buffered and written
// in large pieces; flush() writes the buffer and fsyncs. A part file rolls over at
// sink.rolling-policy.file-size (Flink's default 128 MB). A checkpoint records (part, bytes); a restore cuts
// that part back to those bytes and deletes later parts, so rows written after the checkpoint, which the
// source replays, are not written twice. A fresh start takes the next unused part number.
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { SinkContext, SinkWriter } from '../../core/connector.js';
import { UserError } from '../../core/errors.js';
import { ROW_KIND_SHORT, RowKind, type Batch } from '../../core/row.js';
import { createEncoder, isChangelogFormat, type Encoder } from '../../formats/index.js';
import { filesystemSettings } from './options.js';

/** What a checkpoint holds: the part being written and its length once everything written so far is flushed. */
export interface FileSinkPosition {
  part: number;
  bytes: number;
}

const BUFFER_CHARS = 1 << 20;

export function createSink(ctx: SinkContext): SinkWriter {
  return new FileSinkWriter(ctx);
}

class FileSinkWriter implements SinkWriter {
  private readonly dir: string;
  private readonly extension: string;
  private readonly encoder: Encoder;
  /** The format writes changes (debezium-json, canal-json): every row kind is taken. */
  private readonly changelog: boolean;
  private readonly rollBytes: number;
  private readonly subtask: number;
  private fh: FileHandle | null = null;
  /** The part and its length once everything handed to the file so far is written (writes trail behind). */
  private part = 0;
  private bytes = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  /** Writes run one after another, in the order their rows arrived. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: SinkContext) {
    const settings = filesystemSettings(ctx);
    this.dir = settings.path;
    this.extension = settings.format;
    this.encoder = createEncoder(settings.format, ctx.schema, settings.formatOptions);
    this.changelog = isChangelogFormat(settings.format);
    this.rollBytes = settings.rollBytes;
    this.subtask = ctx.subtask?.index ?? 0;
  }

  private partPath(n: number, subtask = this.subtask): string {
    return join(this.dir, `part-${subtask}-${n}.${this.extension}`);
  }

  /** The part numbers of a subtask's files: part-<subtask>-<n>. */
  private async existingParts(subtask = this.subtask): Promise<number[]> {
    const name = new RegExp(`^part-${subtask}-(\\d+)\\.[a-z]+$`);
    const names = await readdir(this.dir);
    return names.map((n) => name.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
  }

  async open(restored: unknown | null): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
    } catch (e) {
      throw new UserError(`table '${this.ctx.table}': cannot create directory '${this.dir}': ${(e as Error).message}`);
    }
    const position = restored as FileSinkPosition | null;
    if (position === null) {
      const parts = await this.existingParts();
      this.part = parts.length === 0 ? 0 : Math.max(...parts) + 1;
      this.fh = await open(this.partPath(this.part), 'wx');
      return;
    }
    this.part = position.part;
    // Append mode: after the cut every write lands at the end, which is where this writer continues.
    this.fh = await this.cutBack(this.subtask, position);
    this.bytes = (await this.fh.stat()).size;
  }

  /**
   * A scale-down's vanished subtasks: their part files are cut back to the restored checkpoint as their own
   * restore would have done (what they wrote after it is replayed by the subtasks that now read their input),
   * and stay as they are from then on (Flink's FileSink likewise finishes the pending files of the restored
   * state in subtask 0).
   */
  async takeOver(vanished: { subtask: number; state: unknown }[]): Promise<void> {
    for (const { subtask, state } of vanished) {
      const p = state as FileSinkPosition;
      if (typeof p !== 'object' || p === null || !Number.isInteger(p.part) || !Number.isInteger(p.bytes)) {
        throw new UserError(`filesystem sink of table '${this.ctx.table}': the state of vanished subtask ${subtask} is not a part file position (${JSON.stringify(state)})`);
      }
      await (await this.cutBack(subtask, p)).close();
    }
  }

  /**
   * A subtask's files as of `position`: later parts deleted, the part cut back to the recorded length (a
   * shorter one, whose flushed rows were lost, is logged). Returns the part, opened for appending.
   */
  private async cutBack(subtask: number, position: FileSinkPosition): Promise<FileHandle> {
    for (const n of await this.existingParts(subtask)) if (n > position.part) await rm(this.partPath(n, subtask), { force: true });
    const file = this.partPath(position.part, subtask);
    const fh = await open(file, 'a');
    try {
      const size = (await fh.stat()).size;
      if (size < position.bytes) {
        this.ctx.log.warn({ file, size, expected: position.bytes }, 'part file is shorter than the checkpoint recorded: rows flushed before it were lost');
      }
      await fh.truncate(Math.min(size, position.bytes));
      return fh;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  write(batch: Batch): void | Promise<void> {
    const { rows, kinds } = batch;
    if (kinds !== null && !this.changelog) {
      const other = kinds.find((k) => k !== RowKind.INSERT);
      if (other !== undefined) throw new Error(`filesystem sink of table '${this.ctx.table}' takes inserts only, got ${ROW_KIND_SHORT[other]}`);
    }
    let chunk = '';
    if (kinds === null) for (let i = 0; i < rows.length; i++) chunk += this.encoder(rows[i]) + '\n';
    else for (let i = 0; i < rows.length; i++) chunk += this.encoder(rows[i], kinds[i]) + '\n';
    this.pending.push(chunk);
    this.pendingChars += chunk.length;
    // Characters stand in for bytes here: close enough to roll near the configured size.
    if (this.pendingChars >= Math.min(BUFFER_CHARS, this.rollBytes - this.bytes)) return this.drain();
  }

  /** Hands the buffered text to the file; the promise settles once it is written. */
  private drain(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const data = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
    const part = this.part;
    this.bytes += data.length;
    const roll = this.bytes >= this.rollBytes;
    if (roll) {
      this.part++;
      this.bytes = 0;
    }
    this.writing = this.writing.then(() => this.writeOut(data, roll ? part + 1 : null));
    return this.writing;
  }

  private async writeOut(data: Buffer, rollTo: number | null): Promise<void> {
    const fh = this.fh!;
    for (let done = 0; done < data.length; ) done += (await fh.write(data, done, data.length - done)).bytesWritten;
    if (rollTo !== null) {
      await fh.sync();
      await fh.close();
      this.fh = await open(this.partPath(rollTo), 'wx');
    }
  }

  async flush(): Promise<void> {
    await this.drain();
    await this.fh?.sync();
  }

  snapshot(): FileSinkPosition {
    // Counts the buffer too: it goes to this part before any roll; the runtime flushes before a checkpoint completes.
    return { part: this.part, bytes: this.bytes + Buffer.byteLength(this.pending.join('')) };
  }

  async close(): Promise<void> {
    await this.drain();
    await this.fh?.close();
    this.fh = null;
  }
}
