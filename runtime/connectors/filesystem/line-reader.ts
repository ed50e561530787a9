// Reads a file line by line in large chunks, starting at any byte offset (a checkpoint's position).
// Each chunk is cut after its last newline and decoded as one string (a newline byte never occurs inside a
// UTF-8 sequence), so lines are cheap slices; the byte offset of the next line is worked out only when a
// checkpoint asks for it.
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);

export class LineReader {
  private text = '';
  private pos = 0;
  /** File offset of text[0]. */
  private textStart: number;
  /** True when text is all single-byte characters, so string and byte positions agree. */
  private ascii = true;
  /** Bytes of a line not yet complete, carried to the next chunk. */
  private carry: Buffer = EMPTY;
  private readOffset: number;
  private eof = false;

  private constructor(private readonly fh: FileHandle, offset: number) {
    this.textStart = offset;
    this.readOffset = offset;
  }

  static async open(path: string, offset = 0): Promise<LineReader> {
    return new LineReader(await open(path, 'r'), offset);
  }

  /** The next line without its terminator (\n or \r\n); undefined when the decoded text is used up: call fill(). */
  next(): string | undefined {
    const nl = this.text.indexOf('\n', this.pos);
    if (nl < 0) return undefined;
    const end = nl > this.pos && this.text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const line = this.text.slice(this.pos, end);
    this.pos = nl + 1;
    return line;
  }

  /** Decodes the next chunk of lines; false at the end of the file. */
  async fill(): Promise<boolean> {
    for (;;) {
      if (this.eof) return false;
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await this.fh.read(buf, 0, CHUNK_BYTES, this.readOffset);
      const dataStart = this.readOffset - this.carry.length;
      this.readOffset += bytesRead;
      if (bytesRead === 0) {
        this.eof = true;
        if (this.carry.length === 0) return false;
        // The last line has no newline: give it one so next() returns it.
        this.setText(this.carry.toString('utf8') + '\n', dataStart, this.carry.length + 1);
        this.carry = EMPTY;
        return true;
      }
      const data = this.carry.length > 0 ? Buffer.concat([this.carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const lastNl = data.lastIndexOf(10);
      if (lastNl < 0) {
        this.carry = data; // a line longer than a chunk: keep reading
        continue;
      }
      this.setText(data.toString('utf8', 0, lastNl + 1), dataStart, lastNl + 1);
      this.carry = data.subarray(lastNl + 1);
      return true;
    }
  }

  private setText(text: string, start: number, bytes: number): void {
    this.text = text;
    this.textStart = start;
    this.ascii = text.length === bytes;
    this.pos = start === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0; // skip a UTF-8 byte order mark
  }

  /** Byte offset of the next line to be returned. */
  offset(): number {
    const consumed = this.ascii ? this.pos : Buffer.byteLength(this.text.slice(0, this.pos));
    return Math.min(this.textStart + consumed, this.readOffset);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
