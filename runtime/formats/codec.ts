// The shapes every format shares: a decoder turns one record's text into a row of the requested columns,
// an encoder turns a row into one record's text. Sources (filesystem, Kafka) hold records as bytes and decode
// them through a BytesDecoder, which tries the format's fast path on the bytes and hands anything else to the
// text decoder as a string. Sources and sinks build them once per table and call them per record.
import type { Field } from '../core/data-types.js';
import { BadRecordError } from '../core/errors.js';
import type { Row, RowKind } from '../core/row.js';

/**
 * Decodes one record. Returns the row (only the requested columns), `null` for a malformed record skipped
 * because ignore-parse-errors is set (the caller counts it in metrics.badRecordsSkipped), or `undefined` when
 * the text holds no record at all (an empty line, a csv comment): skip it without counting.
 * Without ignore-parse-errors a malformed record throws BadRecordError(reason, origin()).
 * `origin` is called only on failure, so callers can pass one closure that reads their current position.
 */
export type Decoder = (text: string, origin: () => string) => Row | null | undefined;

/**
 * A format's decoder straight from bytes for the records it understands fully (csv-fast-path.ts): the record
 * at b[start..] ends at its first '\n' or at the end of b. Returns undefined to leave the record to the text
 * decoder; otherwise sets at.next to the index after the record's '\n' (or past the end). Given `into` (a row
 * the job is done with, SourceReader.recycle), it writes the columns there and returns it.
 */
export type FastDecoder = (b: Uint8Array, start: number, at: { next: number }, into?: Row) => Row | undefined;

/** Decodes records as sources hold them: lines of a file in a chunk of bytes, or whole messages. */
export interface BytesDecoder {
  /**
   * The record at b[start..], up to its '\n' (without a '\r' before it) or the end of b; sets `next`.
   * `into`: a row to write the columns into, if the format can (else a new row comes back).
   */
  line(b: Buffer, start: number, origin: () => string, into?: Row): Row | null | undefined;
  /** All of b as one record. */
  record(b: Buffer, origin: () => string): Row | null | undefined;
  /** After line(): the index where the next record starts. */
  next: number;
}

export function bytesDecoder(text: Decoder, fast: FastDecoder | null): BytesDecoder {
  const d: BytesDecoder = {
    next: 0,
    line(b, start, origin, into) {
      if (fast !== null) {
        const row = fast(b, start, d, into);
        if (row !== undefined) return row;
      }
      let nl = b.indexOf(10, start);
      if (nl < 0) nl = b.length;
      d.next = nl + 1;
      return text(b.toString('utf8', start, nl > start && b[nl - 1] === 13 ? nl - 1 : nl), origin);
    },
    record(b, origin) {
      if (fast !== null) {
        // A message holding more than one line is the text decoder's to judge, as a whole.
        const row = fast(b, 0, d);
        if (row !== undefined && d.next >= b.length) return row;
      }
      return text(b.toString('utf8'), origin);
    },
  };
  return d;
}

/**
 * A changelog format's decoder (changelog-json.ts): one record's text gives any number of rows (an update
 * gives two, a Canal message one per entry of its "data"), each appended to `rows` with its kind to `kinds`.
 * Returns true when the record was read (also when it holds no row: a DDL event, another table's change),
 * null for a malformed record skipped because ignore-parse-errors is set (the caller counts it); without it
 * a malformed record throws BadRecordError(reason, origin()) and adds nothing.
 */
export type ChangelogDecoder = (text: string, origin: () => string, rows: Row[], kinds: RowKind[]) => true | null;

/** A changelog decoder over records as sources hold them (BytesDecoder's shape, adding rows and kinds). */
export interface ChangelogBytesDecoder {
  /** The record at b[start..], up to its '\n' (without a '\r' before it) or the end of b; sets `next`. */
  line(b: Buffer, start: number, origin: () => string, rows: Row[], kinds: RowKind[]): true | null;
  /** All of b as one record. */
  record(b: Buffer, origin: () => string, rows: Row[], kinds: RowKind[]): true | null;
  /** After line(): the index where the next record starts. */
  next: number;
}

export function changelogBytesDecoder(text: ChangelogDecoder): ChangelogBytesDecoder {
  const d: ChangelogBytesDecoder = {
    next: 0,
    line(b, start, origin, rows, kinds) {
      let nl = b.indexOf(10, start);
      if (nl < 0) nl = b.length;
      d.next = nl + 1;
      return text(b.toString('utf8', start, nl > start && b[nl - 1] === 13 ? nl - 1 : nl), origin, rows, kinds);
    },
    record: (b, origin, rows, kinds) => text(b.toString('utf8'), origin, rows, kinds),
  };
  return d;
}

/** Builds a changelog decoder producing `fields` (the columns are found by name inside the messages). */
export type ChangelogDecoderFactory = (fields: readonly Field[], options: Record<string, string>) => ChangelogDecoder;

/**
 * Encodes one row (the schema's columns, in order) as one record, without a line terminator. `kind` is read
 * only by changelog formats (a deletion is written as one); the others write rows of an insert-only input.
 */
export type Encoder = (row: Row, kind?: RowKind) => string;

/** Builds a decoder: `declared` are all physical columns (csv maps by position), `fields` the ones to produce. */
export type DecoderFactory = (declared: readonly Field[], fields: readonly Field[], options: Record<string, string>) => BytesDecoder;

export type EncoderFactory = (schema: readonly Field[], options: Record<string, string>) => Encoder;

/** What a decoder does with a malformed record: skip it (null) or fail naming where it came from. */
export function rejectRecord(ignoreParseErrors: boolean, reason: string, origin: () => string): null {
  if (ignoreParseErrors) return null;
  throw new BadRecordError(reason, origin());
}

/** The reason text for a value that does not fit its column. */
export function columnReason(column: string, e: unknown): string {
  return `column '${column}': ${e instanceof Error ? e.message : String(e)}`;
}
