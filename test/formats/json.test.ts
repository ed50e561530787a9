// json decoder and encoder: values, projection, missing fields, malformed records, timestamp standards.
import { describe, expect, it } from 'vitest';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import type { Row } from '../../runtime/core/row.js';
import { createJsonDecoder, createJsonEncoder } from '../../runtime/formats/index.js';
import { badRecord } from './bad-record.js';

const declared: Field[] = [
  { name: 'page', type: DataTypes.STRING() },
  { name: 'count', type: DataTypes.INT() },
  { name: 'ts', type: DataTypes.TIMESTAMP(3) },
  { name: 'at', type: DataTypes.TIMESTAMP_LTZ(3) },
  { name: 'price', type: DataTypes.DOUBLE() },
];
const origin = () => 'topic clicks partition 0 offset 17';
const decode = (text: string, options: Record<string, string> = {}, fields = declared) => createJsonDecoder(declared, fields, options).record(Buffer.from(text), origin);

describe('json decoder', () => {
  it('converts values and accepts both timestamp spellings', () => {
    const row = decode('{"page":"/help","count":"12","ts":"2020-01-01 00:00:01.5","at":"2020-01-01T00:00:02Z","price":3,"extra":true}');
    expect(row).toEqual({ page: '/help', count: 12, ts: Date.UTC(2020, 0, 1, 0, 0, 1, 500), at: Date.UTC(2020, 0, 1, 0, 0, 2), price: 3 });
  });

  it('picks only the requested fields', () => {
    const row = decode('{"page":"/a","count":1,"ts":"2020-01-01 00:00:00","at":null,"price":1.5}', {}, [declared[1]]);
    expect(row).toEqual({ count: 1 });
  });

  it('reads a missing field as NULL unless fail-on-missing-field', () => {
    expect(decode('{"page":"/a"}')).toEqual({ page: '/a', count: null, ts: null, at: null, price: null });
    const e = badRecord(() => decode('{"page":"/a"}', { 'json.fail-on-missing-field': 'true' }));
    expect(e.reason).toBe("missing field 'count'");
    expect(e.origin).toBe('topic clicks partition 0 offset 17');
  });

  it('fails on malformed JSON, non-objects and values that do not fit, naming the column', () => {
    expect(badRecord(() => decode('{"page":')).reason).toMatch(/^malformed JSON/);
    expect(badRecord(() => decode('[1,2]')).reason).toBe('expected a JSON object, found an array');
    expect(badRecord(() => decode('{"count":"many"}')).reason).toContain("column 'count'");
    expect(badRecord(() => decode('{"count":3000000000}')).reason).toContain("column 'count'");
    expect(badRecord(() => decode('{"ts":"yesterday"}')).reason).toContain("column 'ts'");
  });

  it('skips malformed records with ignore-parse-errors and empty text always', () => {
    const opts = { 'json.ignore-parse-errors': 'true' };
    expect(decode('{"page":', opts)).toBeNull();
    expect(decode('{"count":"many"}', opts)).toBeNull();
    expect(decode('', opts)).toBeUndefined();
  });
});

describe('json encoder', () => {
  const row: Row = { page: '/a "q"', count: 3, ts: Date.UTC(2020, 0, 1, 12, 0, 0, 7), at: Date.UTC(2020, 0, 1), price: null };

  it('writes SQL timestamps by default and ISO-8601 on request', () => {
    expect(JSON.parse(createJsonEncoder(declared, {})(row))).toEqual({ page: '/a "q"', count: 3, ts: '2020-01-01 12:00:00.007', at: '2020-01-01 00:00:00.000Z', price: null });
    const iso = JSON.parse(createJsonEncoder(declared, { 'json.timestamp-format.standard': 'ISO-8601' })(row));
    expect(iso.ts).toBe('2020-01-01T12:00:00.007');
    expect(iso.at).toBe('2020-01-01T00:00:00.000Z');
  });

  it('leaves out nulls with json.encode.ignore-null-fields', () => {
    expect('price' in JSON.parse(createJsonEncoder(declared, { 'json.encode.ignore-null-fields': 'true' })(row))).toBe(false);
  });

  it('round-trips rows in both timestamp standards', () => {
    for (const standard of ['SQL', 'ISO-8601']) {
      const opts = { 'json.timestamp-format.standard': standard };
      const encode = createJsonEncoder(declared, opts);
      const dec = createJsonDecoder(declared, declared, opts);
      for (let i = 0; i < 100; i++) {
        const r: Row = { page: `/p/${i}\n"${i}"`, count: i - 50, ts: 1_600_000_000_000 + i * 1013, at: 1_500_000_000_000 + i * 77, price: i % 4 === 0 ? null : i / 8 };
        expect(dec.record(Buffer.from(encode(r)), origin)).toEqual(r);
      }
    }
  });
});
