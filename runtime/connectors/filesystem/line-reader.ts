// Reads a file as chunks of whole lines, starting at any byte offset (a checkpoint's position). Decoders read
// the lines' bytes where they lie, so nothing here makes strings, and the two buffers are reused: one holds
// the chunk being decoded while the next chunk is read into the other (the read runs on libuv's thread pool,
// so reading overlaps decoding). A line longer than a buffer grows it.
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
const NL = 10;
const EMPTY = Buffer.alloc(0);

export class LineReader {
  /** Whole lines: the chunk ends with '\n'. Callers read lines from `pos` and move `pos` past them. */
  chunk: Buffer = EMPTY;
  pos = 0;
  /** File offset of chunk[0]. */
  private chunkStart: number;
  /** The buffer the next chunk is read into; it starts with `carry` bytes of a line the last chunk cut off. */
  private spare: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private spareStart: number;
  private carry = 0;
  /** The other buffer: the current chunk's, free once the caller asks for the next chunk. */
  private other: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private readOffset: number;
  private pending: Promise<number> | null = null;

  private constructor(private readonly fh: FileHandle, offset: number) {
    this.chunkStart = offset;
    this.spareStart = offset;
    this.readOffset = offset;
    this.readInto(0);
  }

  static async open(path: string, offset = 0): Promise<LineReader> {
    return new LineReader(await open(path, 'r'), offset);
  }

  /** Starts reading into the spare buffer after its first `at` bytes. */
  private readInto(at: number): void {
    const offset = this.readOffset;
    const read = this.fh.read(this.spare, at, this.spare.length - at, offset).then(({ bytesRead }) => {
      this.readOffset = offset + bytesRead;
      return bytesRead;
    });
    read.catch(() => {}); // a failed read-ahead surfaces in fill(), which awaits it
    this.pending = read;
  }

  /** Makes the next chunk of whole lines current; false at the end of the file. */
  async fill(): Promise<boolean> {
    while (this.pending !== null) {
      const bytesRead = await this.pending;
      this.pending = null;
      const buf = this.spare;
      let filled = this.carry + bytesRead;
      if (bytesRead === 0) {
        if (filled === 0) return false;
        // The last line has no newline: give it one.
        if (filled === buf.length) this.spare = grow(buf, filled);
        this.spare[filled++] = NL;
        this.setChunk(filled, 0);
        return true;
      }
      const end = buf.lastIndexOf(NL, filled - 1) + 1;
      if (end === 0) {
        // No line ends in what is buffered: keep reading, in a larger buffer if this one is full.
        if (filled === buf.length) this.spare = grow(buf, filled);
        this.carry = filled;
        this.readInto(filled);
        continue;
      }
      this.setChunk(end, filled - end);
      this.readInto(this.carry);
      return true;
    }
    return false;
  }

  /** The spare buffer's first `end` bytes become the chunk; the `carry` bytes after them move to the other buffer. */
  private setChunk(end: number, carry: number): void {
    const buf = this.spare;
    if (this.other.length <= carry) this.other = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, carry * 2));
    buf.copy(this.other, 0, end, end + carry);
    this.chunk = buf.subarray(0, end);
    this.chunkStart = this.spareStart;
    // A UTF-8 byte order mark at the start of the file is not part of the first line.
    this.pos = this.chunkStart === 0 && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    this.spare = this.other;
    this.other = buf;
    this.spareStart = this.chunkStart + end;
    this.carry = carry;
  }

  /** Whether the current chunk has lines left. */
  hasLine(): boolean {
    return this.pos < this.chunk.length;
  }

  /** Byte offset of the next line. */
  offset(): number {
    return this.chunkStart + this.pos;
  }

  async close(): Promise<void> {
    await this.pending?.catch(() => {});
    this.pending = null;
    await this.fh.close();
  }
}

/** A buffer twice as large holding the first `filled` bytes of buf. */
function grow(buf: Buffer, filled: number): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger, 0, 0, filled);
  return bigger;
}
