// The formats by name: what filesystem and Kafka call to decode and encode records. Options are passed
// unprefixed (csv.field-delimiter, json.ignore-parse-errors); a Kafka value format strips its 'value.' prefix
// first with unprefixed(options, 'value.').
import type { Field } from '../core/data-types.js';
import type { BytesDecoder, DecoderFactory, Encoder, EncoderFactory } from './codec.js';
import { createCsvDecoder, createCsvEncoder } from './csv.js';
import type { FormatName } from './format-options.js';
import { createJsonDecoder, createJsonEncoder } from './json.js';

export type { BytesDecoder, Decoder, Encoder, DecoderFactory, EncoderFactory } from './codec.js';
export { FORMAT_NAMES, formatName, formatOptionKeys, unprefixed, validateFormatOptions, type FormatName } from './format-options.js';
export { createCsvDecoder, createCsvEncoder } from './csv.js';
export { createJsonDecoder, createJsonEncoder } from './json.js';

const CODECS: Record<FormatName, { decoder: DecoderFactory; encoder: EncoderFactory }> = {
  csv: { decoder: createCsvDecoder, encoder: createCsvEncoder },
  json: { decoder: createJsonDecoder, encoder: createJsonEncoder },
};

function codec(format: string) {
  const c = CODECS[format as FormatName];
  if (!c) throw new Error(`unknown format '${format}' (supported: ${Object.keys(CODECS).join(', ')})`);
  return c;
}

export function createDecoder(format: FormatName | string, declared: readonly Field[], fields: readonly Field[], options: Record<string, string>): BytesDecoder {
  return codec(format).decoder(declared, fields, options);
}

export function createEncoder(format: FormatName | string, schema: readonly Field[], options: Record<string, string>): Encoder {
  return codec(format).encoder(schema, options);
}

/**
 * Options for a decoder whose source keeps bad records in a dead-letter queue: a record the format would skip
 * under ignore-parse-errors must reach the source as a BadRecordError (with its reason) so that it is kept,
 * not dropped (issue 13.5). The skip still happens, as the source goes on with the next record.
 */
export function keepBadRecords(options: Record<string, string>): Record<string, string> {
  const { 'csv.ignore-parse-errors': _csv, 'json.ignore-parse-errors': _json, ...rest } = options;
  return rest;
}
