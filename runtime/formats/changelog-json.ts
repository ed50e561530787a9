// Flink's changelog formats over JSON: debezium-json (Debezium's change events: {"before", "after", "op"},
// optionally inside Kafka Connect's {"schema", "payload"} envelope) and canal-json (Canal's flat messages:
// {"data": [...], "old": [...], "type", "database", "table"}). Decoding turns one message into the changes it
// holds: insert (+I), update as update-before and update-after (-U, +U), delete (-D); the row objects inside
// are read by the json format's reader, so values convert exactly as json's do. Encoding writes what Flink's
// serializers write: an insert or update-after as a creation, an update-before or delete as a deletion (Flink
// does not merge -U/+U back into one update message).
import type { Field } from '../core/data-types.js';
import { RowKind, type Row } from '../core/row.js';
import { rejectRecord, type ChangelogDecoder, type Encoder } from './codec.js';
import { canalSettings, debeziumSettings } from './format-options.js';
import { jsonObjectReader, jsonObjectWriter, parseJsonObject, type JsonObjectReader } from './json.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A row object of a message (`before`, `after`, an entry of `data`), or a rejection naming where it is. */
function readRow(read: JsonObjectReader, v: unknown, what: string, ignore: boolean, origin: () => string): Row | null {
  if (!isObject(v)) return rejectRecord(ignore, `${what} is ${v === undefined ? 'missing' : JSON.stringify(v)}, expected a JSON object`, origin);
  return read(v, origin);
}

export function createDebeziumDecoder(fields: readonly Field[], options: Record<string, string>): ChangelogDecoder {
  const s = debeziumSettings(options);
  const read = jsonObjectReader(fields, { ignoreParseErrors: s.ignoreParseErrors, failOnMissingField: false });
  const ignore = s.ignoreParseErrors;
  return (text, origin, rows, kinds) => {
    // Debezium writes a tombstone (an empty value) after each delete for Kafka's compaction: nothing to read.
    if (text.length === 0) return true;
    const root = parseJsonObject(text, ignore, origin);
    if (root === null) return null;
    let msg = root;
    if (s.schemaInclude) {
      if (!isObject(root.payload)) {
        return rejectRecord(ignore, `no "payload" object: with 'debezium-json.schema-include' = 'true' a message is {"schema": ..., "payload": {"before", "after", "op"}}`, origin);
      }
      msg = root.payload;
    } else if (root.op === undefined && isObject(root.payload) && 'schema' in root) {
      return rejectRecord(ignore, `the message is inside Kafka Connect's {"schema", "payload"} envelope: set 'debezium-json.schema-include' = 'true'`, origin);
    }
    const op = msg.op;
    switch (op) {
      case 'c': case 'r': {
        const after = readRow(read, msg.after, `"after" of a "${op}" message`, ignore, origin);
        if (after === null) return null;
        rows.push(after); kinds.push(RowKind.INSERT);
        return true;
      }
      case 'u': {
        if (msg.before === null || msg.before === undefined) {
          // Flink's message: Postgres sends no old row unless the table keeps full replica identity.
          return rejectRecord(ignore, `the "before" field of an UPDATE message is null; with Debezium's Postgres connector, set the table's REPLICA IDENTITY to FULL`, origin);
        }
        const before = readRow(read, msg.before, '"before" of a "u" message', ignore, origin);
        if (before === null) return null;
        const after = readRow(read, msg.after, '"after" of a "u" message', ignore, origin);
        if (after === null) return null;
        rows.push(before, after); kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
        return true;
      }
      case 'd': {
        if (msg.before === null || msg.before === undefined) {
          return rejectRecord(ignore, `the "before" field of a DELETE message is null; with Debezium's Postgres connector, set the table's REPLICA IDENTITY to FULL`, origin);
        }
        const before = readRow(read, msg.before, '"before" of a "d" message', ignore, origin);
        if (before === null) return null;
        rows.push(before); kinds.push(RowKind.DELETE);
        return true;
      }
      default:
        return rejectRecord(ignore, `unknown "op" value ${JSON.stringify(op)} in a Debezium JSON message (expected c, r, u or d)`, origin);
    }
  };
}

export function createCanalDecoder(fields: readonly Field[], options: Record<string, string>): ChangelogDecoder {
  const s = canalSettings(options);
  const read = jsonObjectReader(fields, { ignoreParseErrors: s.ignoreParseErrors, failOnMissingField: false });
  const ignore = s.ignoreParseErrors;
  const entries = (v: unknown, what: string, origin: () => string): unknown[] | null =>
    Array.isArray(v) ? v : rejectRecord(ignore, `${what} is ${v === undefined ? 'missing' : JSON.stringify(v)}, expected an array of rows`, origin);
  return (text, origin, rows, kinds) => {
    if (text.length === 0) return true;
    const root = parseJsonObject(text, ignore, origin);
    if (root === null) return null;
    // canal-json.database.include / table.include: another database's or table's changes are not this table's.
    if (s.database !== null && !s.database.test(String(root.database ?? ''))) return true;
    if (s.table !== null && !s.table.test(String(root.table ?? ''))) return true;
    const type = root.type;
    // Rows are added only once the whole message reads, so a skipped message leaves nothing behind.
    const out: Row[] = [];
    const outKinds: RowKind[] = [];
    switch (type) {
      case 'INSERT': case 'DELETE': {
        const data = entries(root.data, `"data" of an ${type} message`, origin);
        if (data === null) return null;
        for (let i = 0; i < data.length; i++) {
          const row = readRow(read, data[i], `"data"[${i}]`, ignore, origin);
          if (row === null) return null;
          out.push(row); outKinds.push(type === 'INSERT' ? RowKind.INSERT : RowKind.DELETE);
        }
        break;
      }
      case 'UPDATE': {
        const data = entries(root.data, '"data" of an UPDATE message', origin);
        if (data === null) return null;
        const old = entries(root.old, '"old" of an UPDATE message', origin);
        if (old === null) return null;
        for (let i = 0; i < data.length; i++) {
          const after = readRow(read, data[i], `"data"[${i}]`, ignore, origin);
          if (after === null) return null;
          // "old" holds only the columns that changed: the others were as they are after.
          const changed = old[i] ?? {};
          if (!isObject(changed)) return rejectRecord(ignore, `"old"[${i}] is ${JSON.stringify(changed)}, expected a JSON object`, origin);
          const before = read({ ...(data[i] as Record<string, unknown>), ...changed }, origin);
          if (before === null) return null;
          out.push(before, after); outKinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
        }
        break;
      }
      case 'CREATE':
        // A DDL event (Canal's "isDdl"): no rows, as Flink skips it.
        return true;
      default:
        return rejectRecord(ignore, `unknown "type" value ${JSON.stringify(type)} in a Canal JSON message (expected INSERT, UPDATE, DELETE or CREATE)`, origin);
    }
    for (let i = 0; i < out.length; i++) { rows.push(out[i]); kinds.push(outKinds[i]); }
    return true;
  };
}

const deletes = (kind: RowKind | undefined) => kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE;

export function createDebeziumEncoder(schema: readonly Field[], options: Record<string, string>): Encoder {
  const toObject = jsonObjectWriter(schema, { timestampStandard: debeziumSettings(options).timestampStandard, ignoreNullFields: false });
  return (row, kind) => (deletes(kind)
    ? JSON.stringify({ before: toObject(row), after: null, op: 'd' })
    : JSON.stringify({ before: null, after: toObject(row), op: 'c' }));
}

export function createCanalEncoder(schema: readonly Field[], options: Record<string, string>): Encoder {
  const toObject = jsonObjectWriter(schema, { timestampStandard: canalSettings(options).timestampStandard, ignoreNullFields: false });
  return (row, kind) => JSON.stringify({ data: [toObject(row)], type: deletes(kind) ? 'DELETE' : 'INSERT' });
}
