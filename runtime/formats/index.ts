// The formats by name: what filesystem and Kafka call to decode and encode records (row formats: csv, json; changelog formats: debezium-json, canal-json). Options are passed
// unprefixed (csv.field-delimiter, json.ignore-parse-errors); a Kafka value format strips its 'value.' prefix
// first with unprefixed(options, 'value.').
import type { Field } from '../core/data-types.js';
import { createCanalDecoder, createCanalEncoder, createDebeziumDecoder, createDebeziumEncoder } from './changelog-json.js';
import { changelogBytesDecoder, type BytesDecoder, type ChangelogBytesDecoder, type ChangelogDecoderFactory, type DecoderFactory, type Encoder, type EncoderFactory } from './codec.js';
import { createCsvDecoder, createCsvEncoder } from './csv.js';
import { isFormatOptionKey, type FormatName } from './format-options.js';
import { createJsonDecoder, createJsonEncoder } from './json.js';

export type { BytesDecoder, ChangelogBytesDecoder, ChangelogDecoder, Decoder, Encoder, DecoderFactory, EncoderFactory } from './codec.js';
export { CHANGELOG_FORMATS, FORMAT_NAMES, formatName, formatOptionKeys, isChangelogFormat, isFormatOptionKey, unprefixed, validateFormatOptions, type FormatName } from './format-options.js';
export { createCsvDecoder, createCsvEncoder } from './csv.js';
export { createJsonDecoder, createJsonEncoder } from './json.js';

/** Row formats: one record is one row. */
const CODECS: Partial<Record<FormatName, { decoder: DecoderFactory; encoder: EncoderFactory }>> = {
  csv: { decoder: createCsvDecoder, encoder: createCsvEncoder },
  json: { decoder: createJsonDecoder, encoder: createJsonEncoder },
};

/** Changelog formats (isChangelogFormat): one record is any number of changes. */
const CHANGELOG_CODECS: Partial<Record<FormatName, { decoder: ChangelogDecoderFactory; encoder: EncoderFactory }>> = {
  'debezium-json': { decoder: createDebeziumDecoder, encoder: createDebeziumEncoder },
  'canal-json': { decoder: createCanalDecoder, encoder: createCanalEncoder },
};

const supported = () => [...Object.keys(CODECS), ...Object.keys(CHANGELOG_CODECS)].join(', ');

export function createDecoder(format: FormatName | string, declared: readonly Field[], fields: readonly Field[], options: Record<string, string>): BytesDecoder {
  const c = CODECS[format as FormatName];
  if (!c) throw new Error(CHANGELOG_CODECS[format as FormatName] ? `format '${format}' reads changes: use createChangelogDecoder` : `unknown format '${format}' (supported: ${supported()})`);
  return c.decoder(declared, fields, options);
}

/** The decoder of a changelog format (debezium-json, canal-json), producing `fields`. */
export function createChangelogDecoder(format: FormatName | string, fields: readonly Field[], options: Record<string, string>): ChangelogBytesDecoder {
  const c = CHANGELOG_CODECS[format as FormatName];
  if (!c) throw new Error(`format '${format}' is not a changelog format (those are: ${Object.keys(CHANGELOG_CODECS).join(', ')})`);
  return changelogBytesDecoder(c.decoder(fields, options));
}

export function createEncoder(format: FormatName | string, schema: readonly Field[], options: Record<string, string>): Encoder {
  const c = CODECS[format as FormatName] ?? CHANGELOG_CODECS[format as FormatName];
  if (!c) throw new Error(`unknown format '${format}' (supported: ${supported()})`);
  return c.encoder(schema, options);
}

/**
 * Options for a decoder whose source keeps bad records in a dead-letter queue: a record the format would skip
 * under ignore-parse-errors must reach the source as a BadRecordError (with its reason) so that it is kept,
 * not dropped (issue 13.5). The skip still happens, as the source goes on with the next record.
 */
export function keepBadRecords(options: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !(isFormatOptionKey(key) && key.endsWith('.ignore-parse-errors'))));
}
