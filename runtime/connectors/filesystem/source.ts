// The filesystem source reader: files in order, one split each, up to 4096 lines per poll. The position is
// the current file, the lines read from it and the byte offset of the next line, so a restore seeks there
// directly; files sorting before it are done.
import { appendFile } from 'node:fs/promises';
import type { SourceBatch, SourceContext, SourceReader } from '../../core/connector.js';
import { BadRecordError } from '../../core/errors.js';
import type { Row, RowKind } from '../../core/row.js';
import { createChangelogDecoder, createDecoder, isChangelogFormat, keepBadRecords, type BytesDecoder, type ChangelogBytesDecoder } from '../../formats/index.js';
import { compareFiles, listInputFiles } from './files.js';
import { LineReader } from './line-reader.js';
import { filesystemSettings, type FilesystemSettings } from './options.js';

// A batch is the unit of everything downstream: watermarks advance and updating aggregates emit their changes
// once per batch. 4096 lines (about a millisecond of reading) made the spend report 1.5x faster than 1024, since
// an account touched several times in a batch sends one -U/+U pair; 16384 was slower again (batches outgrow
// V8's young generation) and needs more memory (bench/README.md).
const MAX_LINES = 4096;

/** What a checkpoint holds; file null once every file is read. */
export interface FilePosition {
  file: string | null;
  /** Lines of `file` already read (the next one is line + 1). */
  line: number;
  /** Byte offset of the next line in `file`. */
  offset: number;
}

export function createSource(ctx: SourceContext): SourceReader {
  return new FileSourceReader(ctx);
}

class FileSourceReader implements SourceReader {
  readonly bounded = true;
  /** A row format's decoder, or (debezium-json, canal-json) a changelog format's: one of the two is null. */
  private readonly decoder: BytesDecoder | null;
  private readonly changes: ChangelogBytesDecoder | null;
  private files: string[] = [];
  private index = 0;
  private reader: LineReader | null = null;
  private line = 0;
  private startOffset = 0;
  /** Rows the job handed back (recycle()): the next batch's records are decoded into them. */
  private free: Row[] = [];
  /** One closure for every record: reads the current position only when a record is bad. */
  private readonly origin = () => `file ${this.files[this.index]} line ${this.line}`;

  /** scan.dead-letter-queue.path: a file that keeps the lines the format cannot decode, instead of failing the job. */
  private readonly deadLetterPath: string | null;
  private readonly settings: FilesystemSettings;

  constructor(private readonly ctx: SourceContext) {
    this.settings = filesystemSettings(ctx);
    this.deadLetterPath = this.settings.deadLetterPath;
    // With a dead-letter file, lines ignore-parse-errors would drop are kept there too.
    const { format, formatOptions } = this.settings;
    const options = this.deadLetterPath === null ? formatOptions : keepBadRecords(formatOptions);
    this.changes = isChangelogFormat(format) ? createChangelogDecoder(format, ctx.fields, options) : null;
    this.decoder = this.changes === null ? createDecoder(format, ctx.declared, ctx.fields, options) : null;
  }

  async open(restored: unknown | null): Promise<void> {
    // At parallelism n, subtask i reads every n-th file from the i-th (each file is one split).
    const { index, parallelism } = this.ctx.subtask ?? { index: 0, parallelism: 1 };
    this.files = (await listInputFiles(this.settings.path)).filter((_, i) => i % parallelism === index);
    const position = restored as FilePosition | null;
    if (position === null) return;
    if (position.file === null) {
      this.index = this.files.length;
      return;
    }
    this.index = this.files.indexOf(position.file);
    if (this.index >= 0) {
      this.line = position.line;
      this.startOffset = position.offset;
    } else {
      // The file is gone: continue with the first file that sorts after it.
      this.index = this.files.findIndex((f) => compareFiles(f, position.file!) > 0);
      if (this.index < 0) this.index = this.files.length;
    }
  }

  async poll(): Promise<SourceBatch | null> {
    while (this.index < this.files.length) {
      const split = this.files[this.index];
      this.reader ??= await LineReader.open(split, this.startOffset);
      const reader = this.reader;
      const decoder = this.decoder;
      const changes = this.changes;
      const rows: Row[] = [];
      const kinds: RowKind[] | null = changes === null ? null : [];
      const free = this.free;
      this.free = [];
      let lines = 0;
      let finished = false;
      let dead: string[] | null = null;
      while (lines < MAX_LINES) {
        if (!reader.hasLine()) {
          if (await reader.fill()) continue;
          finished = true;
          break;
        }
        lines++;
        this.line++;
        let row;
        try {
          if (changes !== null) {
            // A changelog line adds its changes itself (an update adds two rows).
            if (changes.line(reader.chunk, reader.pos, this.origin, rows, kinds!) === null) this.ctx.metrics.badRecordsSkipped++;
            reader.pos = changes.next;
            continue;
          }
          row = decoder!.line(reader.chunk, reader.pos, this.origin, rows.length < free.length ? free[rows.length] : undefined);
        } catch (e) {
          if (!(e instanceof BadRecordError) || this.deadLetterPath === null) throw e;
          // Chunks hold whole lines: the bad one ends at the next '\n'.
          const end = reader.chunk.indexOf(10, reader.pos);
          const raw = reader.chunk.toString('utf8', reader.pos, end > reader.pos && reader.chunk[end - 1] === 13 ? end - 1 : end);
          (dead ??= []).push(JSON.stringify({ table: this.ctx.table, file: split, line: this.line, offset: reader.offset(), reason: e.reason, raw }));
          reader.pos = end + 1;
          this.ctx.metrics.badRecordsSkipped++;
          continue;
        }
        reader.pos = decoder!.next;
        if (row === undefined) continue;
        if (row === null) this.ctx.metrics.badRecordsSkipped++;
        else rows.push(row);
      }
      // Written before the position moves past them (a checkpoint is taken after poll() returns).
      if (dead !== null) await appendFile(this.deadLetterPath!, dead.join('\n') + '\n');
      if (finished) await this.nextFile();
      if (rows.length > 0 || !finished) return { split, rows, kinds };
    }
    return null;
  }

  private async nextFile(): Promise<void> {
    await this.reader?.close();
    this.reader = null;
    this.index++;
    this.line = 0;
    this.startOffset = 0;
  }

  recycle(rows: Row[]): void {
    this.free = rows;
  }

  splits(): string[] {
    return this.files.slice(this.index);
  }

  snapshot(): FilePosition {
    if (this.index >= this.files.length) return { file: null, line: 0, offset: 0 };
    return { file: this.files[this.index], line: this.line, offset: this.reader?.offset() ?? this.startOffset };
  }

  async close(): Promise<void> {
    await this.reader?.close();
    this.reader = null;
  }
}
