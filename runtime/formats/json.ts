// Flink's json format: one JSON object per record, columns by name. The decoder parses the object and picks
// only the columns the query reads. json.timestamp-format.standard chooses how timestamps are written
// ('yyyy-MM-dd HH:mm:ss.SSS' or ISO-8601 'yyyy-MM-ddTHH:mm:ss.SSS'; TIMESTAMP_LTZ adds 'Z'); reading accepts
// either spelling, where Flink insists on the configured one.
// As with csv, a malformed record is skipped whole under json.ignore-parse-errors (SPEC §6), where Flink
// would set the offending field to NULL.
import type { DataType, Field } from '../core/data-types.js';
import { rowBuilder, type Row } from '../core/row.js';
import { coerceJsonValue, formatTimestamp, jsonValue } from '../core/values.js';
import { bytesDecoder, columnReason, rejectRecord, type BytesDecoder, type Decoder, type Encoder } from './codec.js';
import { jsonSettings } from './format-options.js';
import { Conv, convertText, textColumn } from './text-values.js';

export function createJsonDecoder(_declared: readonly Field[], fields: readonly Field[], options: Record<string, string>): BytesDecoder {
  return bytesDecoder(jsonTextDecoder(fields, options), null);
}

/**
 * Reads the requested columns out of a parsed JSON object (by name). Returns the row, or null when a value does
 * not fit its column and `ignoreParseErrors` skips the record; throws BadRecordError otherwise. The changelog
 * formats (changelog-json.ts) read their `before`/`after`/`data` objects through it too.
 */
export type JsonObjectReader = (obj: Record<string, unknown>, origin: () => string) => Row | null;

export function jsonObjectReader(fields: readonly Field[], s: { ignoreParseErrors: boolean; failOnMissingField: boolean }): JsonObjectReader {
  const names = fields.map((f) => f.name);
  const types = fields.map((f) => f.type);
  const columns = types.map(textColumn);
  const values: unknown[] = new Array(fields.length).fill(null);
  const build = rowBuilder(names);
  return (obj, origin) => {
    for (let i = 0; i < names.length; i++) {
      const v = obj[names[i]];
      if (v === undefined && s.failOnMissingField) return rejectRecord(false, `missing field '${names[i]}'`, origin);
      try {
        // Strings take the text fast paths (timestamps, integers); they agree with coerceJsonValue.
        values[i] = typeof v === 'string' && columns[i].conv !== Conv.OTHER ? convertText(columns[i], v, 0, v.length) : coerceJsonValue(v, types[i]);
      } catch (e) {
        return rejectRecord(s.ignoreParseErrors, columnReason(names[i], e), origin);
      }
    }
    return build(values);
  };
}

/** Parses one record's text as a JSON object; null (skipped) or BadRecordError when it is not one. */
export function parseJsonObject(text: string, ignoreParseErrors: boolean, origin: () => string): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return rejectRecord(ignoreParseErrors, `malformed JSON: ${(e as Error).message}`, origin);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return rejectRecord(ignoreParseErrors, `expected a JSON object, found ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`, origin);
  }
  return parsed as Record<string, unknown>;
}

function jsonTextDecoder(fields: readonly Field[], options: Record<string, string>): Decoder {
  const s = jsonSettings(options);
  const read = jsonObjectReader(fields, s);
  return (text: string, origin: () => string): Row | null | undefined => {
    if (text.length === 0) return undefined;
    const obj = parseJsonObject(text, s.ignoreParseErrors, origin);
    return obj === null ? null : read(obj, origin);
  };
}

export function createJsonEncoder(schema: readonly Field[], options: Record<string, string>): Encoder {
  const s = jsonSettings(options);
  const toObject = jsonObjectWriter(schema, s);
  return (row: Row): string => JSON.stringify(toObject(row));
}

/** A row as the JSON object the json format writes (the changelog formats wrap it in their envelopes). */
export function jsonObjectWriter(schema: readonly Field[], s: { timestampStandard: 'SQL' | 'ISO-8601'; ignoreNullFields: boolean }): (row: Row) => Record<string, unknown> {
  const names = schema.map((f) => f.name);
  const types = schema.map((f) => f.type);
  const iso = s.timestampStandard === 'ISO-8601';

  const value = (v: unknown, type: DataType): unknown => {
    if (v === null || v === undefined || (type.name !== 'TIMESTAMP' && type.name !== 'TIMESTAMP_LTZ')) return jsonValue(v, type);
    let text = formatTimestamp(v as number, type.precision ?? 3);
    if (iso) text = text.slice(0, 10) + 'T' + text.slice(11);
    return type.name === 'TIMESTAMP_LTZ' ? text + 'Z' : text;
  };

  return (row: Row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const v = row[names[i]];
      if (s.ignoreNullFields && (v === null || v === undefined)) continue;
      out[names[i]] = value(v, types[i]);
    }
    return out;
  };
}
