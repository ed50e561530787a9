// Rows ↔ Kafka records, through the csv/json codecs of runtime/formats: the value carries the columns (all, or
// all but the key with value.fields-include = EXCEPT_KEY) and the key carries the key columns in the key
// format, named without key.fields-prefix. Decoding reads only the requested columns (projection pushdown):
// the key is decoded only when a requested column lives there, or for an upsert tombstone.
import type { Field } from '../../core/data-types.js';
import { BadRecordError } from '../../core/errors.js';
import type { Row, RowKind } from '../../core/row.js';
import { createChangelogDecoder, createDecoder, createEncoder, type BytesDecoder } from '../../formats/index.js';
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

  return (keyBytes, valueBytes, origin) => {
    if (valueBytes === null) {
      if (tombstone === null) return undefined;
      const row: Row = {};
      for (const n of nulls) row[n] = null;
      return readKeyColumns(layout, tombstone, tombstoneKey, keyBytes, row, origin) ? row : null;
    }
    const row = value.record(valueBytes, origin);
    if (!row || key === null) return row;
    return readKeyColumns(layout, key, fromKey, keyBytes, row, origin) ? row : null;
  };
}

/** Sets the key columns of `row` from the record's key (all NULL without one); false when the key is malformed and skipped. */
function readKeyColumns(layout: RecordLayout, decoder: BytesDecoder, columns: Field[], bytes: Buffer | null, row: Row, origin: () => string): boolean {
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
}

/**
 * Decodes one record of a changelog value format (debezium-json, canal-json): its changes are appended to
 * `rows` and `kinds`, each with the key columns read from the record's key when the value leaves them out.
 * Returns null for a malformed record skipped under ignore-parse-errors (count it). A record without a value
 * (the tombstone Debezium writes after a delete, for compaction) holds no change.
 */
export type ChangelogRecordDecoder = (key: Buffer | null, value: Buffer | null, origin: () => string, rows: Row[], kinds: RowKind[]) => true | null;

export function createChangelogRecordDecoder(layout: RecordLayout, declared: readonly Field[], requested: readonly Field[]): ChangelogRecordDecoder {
  const isKey = (f: Field) => layout.keyColumns.includes(f.name);
  const inValue = (f: Field) => layout.valueIncludesKey || !isKey(f);
  const value = createChangelogDecoder(layout.valueFormat, requested.filter(inValue), layout.valueOptions);
  const fromKey = requested.filter((f) => isKey(f) && !inValue(f));
  const key = fromKey.length === 0 ? null : createDecoder(layout.keyFormat!, keyFields(layout, declared), keyFields(layout, fromKey), layout.keyOptions);
  return (keyBytes, valueBytes, origin, rows, kinds) => {
    if (valueBytes === null) return true;
    const start = rows.length;
    const read = value.record(valueBytes, origin, rows, kinds);
    if (read === null || key === null || rows.length === start) return read;
    const keyRow: Row = {};
    if (!readKeyColumns(layout, key, fromKey, keyBytes, keyRow, origin)) {
      rows.length = start;
      kinds.length = start;
      return null;
    }
    for (let i = start; i < rows.length; i++) for (const c of fromKey) rows[i][c.name] = keyRow[c.name];
    return true;
  };
}

export interface RecordEncoder {
  /** The key text, or null when the table has no key. */
  key(row: Row): string | null;
  /** The value text; `kind` matters to changelog formats only (a deletion is written as one). */
  value(row: Row, kind?: RowKind): string;
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
