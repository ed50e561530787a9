// The shapes every format shares: a decoder turns one record's text into a row of the requested columns,
// an encoder turns a row into one record's text. Sources (filesystem, Kafka) and sinks build them once per
// table and call them per record.
import type { Field } from '../core/data-types.js';
import { BadRecordError } from '../core/errors.js';
import type { Row } from '../core/row.js';

/**
 * Decodes one record. Returns the row (only the requested columns), `null` for a malformed record skipped
 * because ignore-parse-errors is set (the caller counts it in metrics.badRecordsSkipped), or `undefined` when
 * the text holds no record at all (an empty line, a csv comment): skip it without counting.
 * Without ignore-parse-errors a malformed record throws BadRecordError(reason, origin()).
 * `origin` is called only on failure, so callers can pass one closure that reads their current position.
 */
export type Decoder = (text: string, origin: () => string) => Row | null | undefined;

/** Encodes one row (the schema's columns, in order) as one record, without a line terminator. */
export type Encoder = (row: Row) => string;

/** Builds a decoder: `declared` are all physical columns (csv maps by position), `fields` the ones to produce. */
export type DecoderFactory = (declared: readonly Field[], fields: readonly Field[], options: Record<string, string>) => Decoder;

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
