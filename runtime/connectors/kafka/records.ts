// Rows ↔ Kafka records, through the csv/json codecs of runtime/formats: the value carries the columns (all, or
// all but the key with value.fields-include = EXCEPT_KEY) and the key carries the key columns in the key
// format, named without key.fields-prefix. Decoding reads only the requested columns (projection pushdown):
// the key is decoded only when a requested column lives there, or for an upsert tombstone.
import type { Field } from '../../core/data-types.js';
import { BadRecordError } from '../../core/errors.js';
import type { Row } from '../../core/row.js';
import { createDecoder, createEncoder, type BytesDecoder } from '../../formats/index.js';
import type { RecordLayout } from './options.js';

/**
 * Decodes one record into a row of the requested columns. Returns null for a malformed record skipped under
 * ignore-parse-errors (count it), undefined for a record that holds no row (a tombstone outside upsert mode).
 * In upsert mode a tombstone gives the key columns with every other column NULL: the caller marks it -D.
 */
export type RecordDecoder = (key: Buffer | null, value: Buffer | null, origin: () => string) => Row | null | undefined;

/** The key columns' names inside the key format. */
const keyName = (layout: RecordLayout, column: string) => column.slice(layout.keyPrefix.length);

/** Key columns as fields named as the key format sees them. */
function keyFields(layout: RecordLayout, fields: readonly Field[]): Field[] {
  return layout.keyColumns.flatMap((c) => {
    const f = fields.find((x) => x.name === c);
    return f ? [{ name: keyName(layout, c), type: f.type }] : [];
  });
}

export function createRecordDecoder(layout: RecordLayout, declared: readonly Field[], requested: readonly Field[]): RecordDecoder {
  const isKey = (f: Field) => layout.keyColumns.includes(f.name);
  const inValue = (f: Field) => layout.valueIncludesKey || !isKey(f);
  const value = createDecoder(layout.valueFormat, declared.filter(inValue), requested.filter(inValue), layout.valueOptions);
  const fromKey = requested.filter((f) => isKey(f) && !inValue(f));
  // Tombstones carry only the key: decode every requested key column from it.
  const tombstoneKey = layout.upsert ? requested.filter(isKey) : [];
  const keyDecoder = (columns: Field[]): BytesDecoder | null =>
    columns.length === 0 ? null : createDecoder(layout.keyFormat!, keyFields(layout, declared), keyFields(layout, columns), layout.keyOptions);
  const key = keyDecoder(fromKey);
  const tombstone = keyDecoder(tombstoneKey);
  const nulls = requested.filter((f) => !isKey(f)).map((f) => f.name);

  const readKey = (decoder: BytesDecoder, columns: Field[], bytes: Buffer | null, row: Row, origin: () => string): boolean => {
    if (bytes === null) {
      for (const c of columns) row[c.name] = null;
      return true;
    }
    let keyRow: Row | null | undefined;
    try {
      keyRow = decoder.record(bytes, origin);
    } catch (e) {
      throw e instanceof BadRecordError ? new BadRecordError(`key: ${e.reason}`, e.origin) : e;
    }
    if (!keyRow) return false;
    for (const c of columns) row[c.name] = keyRow[keyName(layout, c.name)];
    return true;
  };

  return (keyBytes, valueBytes, origin) => {
    if (valueBytes === null) {
      if (tombstone === null) return undefined;
      const row: Row = {};
      for (const n of nulls) row[n] = null;
      return readKey(tombstone, tombstoneKey, keyBytes, row, origin) ? row : null;
    }
    const row = value.record(valueBytes, origin);
    if (!row || key === null) return row;
    return readKey(key, fromKey, keyBytes, row, origin) ? row : null;
  };
}

export interface RecordEncoder {
  /** The key text, or null when the table has no key. */
  key(row: Row): string | null;
  value(row: Row): string;
}

export function createRecordEncoder(layout: RecordLayout, schema: readonly Field[]): RecordEncoder {
  const value = createEncoder(layout.valueFormat, schema.filter((f) => layout.valueIncludesKey || !layout.keyColumns.includes(f.name)), layout.valueOptions);
  if (layout.keyFormat === null || layout.keyColumns.length === 0) return { key: () => null, value };
  const encodeKey = createEncoder(layout.keyFormat, keyFields(layout, schema), layout.keyOptions);
  const columns = layout.keyColumns;
  const names = columns.map((c) => keyName(layout, c));
  const key = layout.keyPrefix === ''
    ? encodeKey
    : (row: Row) => {
      const keyRow: Row = {};
      for (let i = 0; i < columns.length; i++) keyRow[names[i]] = row[columns[i]];
      return encodeKey(keyRow);
    };
  return { key, value };
}
