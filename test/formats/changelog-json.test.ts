// debezium-json and canal-json, message by message: the changes each kind of event gives, the messages that
// hold none (tombstones, DDL, other tables), malformed ones (failing with the reason and where, or skipped with
// ignore-parse-errors), the records the encoders write, and the option checks of the tables using them.
// Whole queries against Flink's changelogs are in test/cdc/.
import { describe, expect, it } from 'vitest';
import { optionProblem, producedChangelog, sinkAccepts } from '../../runtime/connectors/check-table.js';
import { findConnector } from '../../runtime/connectors/registry.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { ROW_KIND_SHORT, RowKind, type Row } from '../../runtime/core/row.js';
import { createChangelogDecoder, createEncoder } from '../../runtime/formats/index.js';
import { badRecord } from './bad-record.js';

const fields: Field[] = [
  { name: 'id', type: DataTypes.INT() },
  { name: 'name', type: DataTypes.STRING() },
  { name: 'weight', type: DataTypes.DOUBLE() },
  { name: 'ts', type: DataTypes.TIMESTAMP(3) },
];
const origin = () => 'topic products partition 0 offset 9';

function decode(format: string, message: unknown, options: Record<string, string> = {}, columns = fields): string[] | null {
  const rows: Row[] = [];
  const kinds: RowKind[] = [];
  const text = typeof message === 'string' ? message : JSON.stringify(message);
  const ok = createChangelogDecoder(format, columns, options).record(Buffer.from(text), origin, rows, kinds);
  return ok === null ? null : rows.map((r, i) => `${ROW_KIND_SHORT[kinds[i]]} ${JSON.stringify(r)}`);
}

const p1 = { id: 1, name: 'scooter', weight: 3.14, ts: '2024-01-01 10:00:00.000' };
const p1b = { ...p1, weight: 5.18 };

describe('debezium-json', () => {
  const dbz = (m: unknown, o?: Record<string, string>) => decode('debezium-json', m, o);
  const ms = Date.UTC(2024, 0, 1, 10);

  it('reads snapshot reads and creations as inserts, updates as -U/+U, deletions as -D', () => {
    expect(dbz({ before: null, after: p1, op: 'r' })).toEqual([`+I {"id":1,"name":"scooter","weight":3.14,"ts":${ms}}`]);
    expect(dbz({ before: null, after: p1, op: 'c', source: { table: 'products' }, ts_ms: 1 })).toEqual([`+I {"id":1,"name":"scooter","weight":3.14,"ts":${ms}}`]);
    expect(dbz({ before: p1, after: p1b, op: 'u' })).toEqual([`-U {"id":1,"name":"scooter","weight":3.14,"ts":${ms}}`, `+U {"id":1,"name":"scooter","weight":5.18,"ts":${ms}}`]);
    expect(dbz({ before: p1, after: null, op: 'd' })).toEqual([`-D {"id":1,"name":"scooter","weight":3.14,"ts":${ms}}`]);
    expect(decode('debezium-json', { before: null, after: p1, op: 'c' }, {}, [fields[1]])).toEqual(['+I {"name":"scooter"}']);
  });

  it('skips tombstones and reads the schema envelope with schema-include', () => {
    expect(dbz('')).toEqual([]);
    const envelope = { schema: { type: 'struct', fields: [] }, payload: { before: null, after: p1, op: 'c' } };
    expect(dbz(envelope, { 'debezium-json.schema-include': 'true' })).toHaveLength(1);
    expect(badRecord(() => dbz(envelope)).reason).toContain("set 'debezium-json.schema-include' = 'true'");
    expect(badRecord(() => dbz({ before: null, after: p1, op: 'c' }, { 'debezium-json.schema-include': 'true' })).reason).toContain('no "payload" object');
  });

  it('fails on what it cannot read, naming the record, or skips it with ignore-parse-errors', () => {
    const unknown = badRecord(() => dbz({ before: null, after: p1, op: 'x' }));
    expect(unknown.reason).toContain('unknown "op" value "x"');
    expect(unknown.origin).toBe('topic products partition 0 offset 9');
    expect(badRecord(() => dbz({ before: null, after: p1b, op: 'u' })).reason).toContain('REPLICA IDENTITY to FULL');
    expect(badRecord(() => dbz({ before: null, after: null, op: 'd' })).reason).toContain('"before" field of a DELETE message is null');
    expect(badRecord(() => dbz({ before: null, after: { ...p1, id: 'one' }, op: 'c' })).reason).toContain("column 'id'");
    expect(badRecord(() => dbz('{"op": "c", ')).reason).toContain('malformed JSON');
    const ignore = { 'debezium-json.ignore-parse-errors': 'true' };
    expect(dbz({ before: null, after: p1, op: 'x' }, ignore)).toBeNull();
    expect(dbz({ before: p1, after: { ...p1, id: 'one' }, op: 'u' }, ignore)).toBeNull();
  });

  it('writes inserts and update-afters as creations, update-befores and deletes as deletions', () => {
    const encode = createEncoder('debezium-json', fields, { 'debezium-json.timestamp-format.standard': 'ISO-8601' });
    const row = { id: 1, name: 'scooter', weight: 3.14, ts: ms };
    const after = { id: 1, name: 'scooter', weight: 3.14, ts: '2024-01-01T10:00:00.000' };
    expect(JSON.parse(encode(row, RowKind.INSERT))).toEqual({ before: null, after, op: 'c' });
    expect(JSON.parse(encode(row, RowKind.UPDATE_AFTER))).toEqual({ before: null, after, op: 'c' });
    expect(JSON.parse(encode(row, RowKind.UPDATE_BEFORE))).toEqual({ before: after, after: null, op: 'd' });
    expect(JSON.parse(encode(row, RowKind.DELETE))).toEqual({ before: after, after: null, op: 'd' });
  });
});

describe('canal-json', () => {
  const o1 = { id: '1', name: 'scooter', weight: '3.14', ts: '2024-01-01 10:00:00' };
  const o2 = { id: '2', name: 'drill', weight: null, ts: null };
  const msg = (type: string, data: unknown, old?: unknown, table = 'products') => ({ data, old: old ?? null, database: 'inventory', table, isDdl: false, pkNames: ['id'], type, ts: 1 });
  const canal = (m: unknown, o?: Record<string, string>) => decode('canal-json', m, o, fields.slice(0, 3));

  it('reads every row of a message; an update takes its old row from "old" and the unchanged columns from "data"', () => {
    expect(canal(msg('INSERT', [o1, o2]))).toEqual(['+I {"id":1,"name":"scooter","weight":3.14}', '+I {"id":2,"name":"drill","weight":null}']);
    expect(canal(msg('UPDATE', [{ ...o1, weight: '5.18' }, { ...o2, weight: '1.5' }], [{ weight: '3.14' }, { weight: null, name: 'driller' }]))).toEqual([
      '-U {"id":1,"name":"scooter","weight":3.14}', '+U {"id":1,"name":"scooter","weight":5.18}',
      '-U {"id":2,"name":"driller","weight":null}', '+U {"id":2,"name":"drill","weight":1.5}',
    ]);
    expect(canal(msg('DELETE', [o1]))).toEqual(['-D {"id":1,"name":"scooter","weight":3.14}']);
  });

  it('skips DDL events and, with database.include / table.include, other databases and tables', () => {
    expect(canal({ data: null, type: 'CREATE', isDdl: true, sql: 'CREATE TABLE products (id INT)', database: 'inventory', table: 'products' })).toEqual([]);
    expect(canal(msg('INSERT', [o1], null, 'orders'), { 'canal-json.table.include': 'prod.*' })).toEqual([]);
    expect(canal(msg('INSERT', [o1]), { 'canal-json.table.include': 'prod.*', 'canal-json.database.include': 'inventory' })).toHaveLength(1);
    // A whole-name match, as Java's Matcher.matches().
    expect(canal(msg('INSERT', [o1]), { 'canal-json.table.include': 'prod' })).toEqual([]);
  });

  it('fails on what it cannot read, or skips the whole message with ignore-parse-errors', () => {
    expect(badRecord(() => canal(msg('TRUNCATE', [o1]))).reason).toContain('unknown "type" value "TRUNCATE"');
    expect(badRecord(() => canal(msg('UPDATE', [o1]))).reason).toContain('"old" of an UPDATE message is null');
    expect(badRecord(() => canal(msg('INSERT', [o1, { ...o2, id: 'x' }]))).reason).toContain("column 'id'");
    expect(canal(msg('INSERT', [o1, { ...o2, id: 'x' }]), { 'canal-json.ignore-parse-errors': 'true' })).toBeNull();
  });

  it('writes each change as a one-row INSERT or DELETE message', () => {
    const encode = createEncoder('canal-json', fields.slice(0, 3), {});
    const row = { id: 1, name: 'scooter', weight: 3.14 };
    expect(JSON.parse(encode(row, RowKind.UPDATE_AFTER))).toEqual({ data: [row], type: 'INSERT' });
    expect(JSON.parse(encode(row, RowKind.UPDATE_BEFORE))).toEqual({ data: [row], type: 'DELETE' });
  });
});

describe('tables in a changelog format', () => {
  const kafka = findConnector('kafka')!;
  const upsertKafka = findConnector('upsert-kafka')!;
  const filesystem = findConnector('filesystem')!;
  const base = { connector: 'kafka', topic: 't', 'properties.bootstrap.servers': '127.0.0.1:9092' };
  const table = (options: Record<string, string>, primaryKey: string[] = []) => ({ table: 'products', declared: fields, primaryKey, options });

  it('are updating sources and sinks that take every change', () => {
    expect(producedChangelog(kafka, { ...base, format: 'debezium-json' })).toBe('retract');
    expect(producedChangelog(kafka, { ...base, 'value.format': 'canal-json' })).toBe('retract');
    expect(producedChangelog(kafka, { ...base, format: 'json' })).toBe('insert-only');
    expect(producedChangelog(filesystem, { path: '/x', format: 'canal-json' })).toBe('retract');
    expect(sinkAccepts(kafka, { ...base, format: 'debezium-json' })).toBe('upsert');
    expect(sinkAccepts(filesystem, { path: '/x', format: 'json' })).toBe('insert-only');
  });

  it('reject what Flink rejects: a changelog key format, one in upsert-kafka, schema-include in a sink', () => {
    expect(optionProblem(kafka, table({ ...base, format: 'debezium-json', 'debezium-json.schema-include': 'true' }), 'source')).toBeNull();
    expect(optionProblem(kafka, table({ ...base, format: 'debezium-json', 'debezium-json.schema-include': 'true' }), 'sink')?.message).toContain('is for reading');
    expect(optionProblem(kafka, table({ ...base, format: 'json', 'key.format': 'debezium-json', 'key.fields': 'id' }), 'source')?.message).toContain('is a changelog format');
    expect(optionProblem(upsertKafka, table({ ...base, connector: 'upsert-kafka', 'key.format': 'json', 'value.format': 'canal-json' }, ['id']), 'sink')?.message)
      .toContain("upsert-kafka does not take the changelog format 'canal-json'");
    expect(optionProblem(kafka, table({ ...base, format: 'canal-json', 'json.ignore-parse-errors': 'true' }), 'source')?.message).toContain("belongs to format 'json'");
    expect(optionProblem(kafka, table({ ...base, format: 'canal-json', 'canal-json.table.include': '(' }), 'source')?.message).toContain('regular expression');
  });
});
