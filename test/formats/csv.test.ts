// csv decoder and encoder: values, projection, quoting, nulls, malformed records in both modes, round trips.
import { describe, expect, it } from 'vitest';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import type { Row } from '../../runtime/core/row.js';
import { parseValue } from '../../runtime/core/values.js';
import { createCsvDecoder, createCsvEncoder } from '../../runtime/formats/index.js';
import { badRecord } from './bad-record.js';

const f = (name: string, type: ReturnType<typeof DataTypes.INT>): Field => ({ name, type });
const declared: Field[] = [
  f('id', DataTypes.BIGINT()),
  f('name', DataTypes.STRING()),
  f('amount', DataTypes.DOUBLE()),
  f('ts', DataTypes.TIMESTAMP(3)),
  f('ok', DataTypes.BOOLEAN()),
  f('day', DataTypes.DATE()),
  f('small', DataTypes.TINYINT()),
];
const origin = () => 'file /data/x.csv line 12';

function decode(line: string, options: Record<string, string> = {}, fields = declared) {
  return createCsvDecoder(declared, fields, options).record(Buffer.from(line), origin);
}

describe('csv decoder', () => {
  it('converts every column type', () => {
    const row = decode('42,alice,12.5,2020-01-01 10:11:12.345,true,2021-03-04,-7');
    expect(row).toEqual({
      id: 42, name: 'alice', amount: 12.5, ts: Date.UTC(2020, 0, 1, 10, 11, 12, 345), ok: true, day: Date.UTC(2021, 2, 4), small: -7,
    });
  });

  it('produces only the requested columns (projection)', () => {
    const fields = [declared[3], declared[0]];
    const row = decode('42,alice,12.5,2020-01-01 00:00:00,true,2021-03-04,1', {}, fields);
    expect(Object.keys(row!).sort()).toEqual(['id', 'ts']);
    expect(row).toEqual({ ts: Date.UTC(2020, 0, 1), id: 42 });
  });

  it('does not convert columns it does not read: a bad value there passes', () => {
    expect(decode('1,x,not-a-number,2020-01-01 00:00:00,maybe,2021-01-01,1', {}, [declared[0]])).toEqual({ id: 1 });
  });

  it('reads quoted fields with delimiters, doubled quotes and newlines', () => {
    const row = decode('1,"a, ""b""\nc",2.0,2020-01-01 00:00:00,false,2020-01-01,0');
    expect(row!.name).toBe('a, "b"\nc');
    expect(row!.amount).toBe(2);
  });

  it('honours a custom delimiter, quote and escape character, with Java escapes', () => {
    const opts = { 'csv.field-delimiter': '\\t', 'csv.quote-character': "'", 'csv.escape-character': '\\\\' };
    const row = decode("1\t'x\ty'\t3\t2020-01-01 00:00:00\ttrue\t2020-01-01\t5", opts);
    expect(row!.name).toBe('x\ty');
    const escaped = decode('1\ta\\\tb\t3\t2020-01-01 00:00:00\ttrue\t2020-01-01\t5', opts);
    expect(escaped!.name).toBe('a\tb');
  });

  it('reads NULL from empty non-string fields and from the null literal; empty strings stay empty', () => {
    expect(decode('1,,,,,,')).toEqual({ id: 1, name: '', amount: null, ts: null, ok: null, day: null, small: null });
    const row = decode('N,N,N,N,N,N,N', { 'csv.null-literal': 'N' });
    expect(row).toEqual({ id: null, name: null, amount: null, ts: null, ok: null, day: null, small: null });
    // a quoted field equal to the null literal is the string itself
    expect(decode('1,"N",1,2020-01-01 00:00:00,true,2020-01-01,1', { 'csv.null-literal': 'N' })!.name).toBe('N');
  });

  it('skips empty lines and, with allow-comments, comment lines, without calling them bad', () => {
    expect(decode('')).toBeUndefined();
    expect(decode('# a comment', { 'csv.allow-comments': 'true' })).toBeUndefined();
  });

  it('fails on a malformed value naming the column and the origin', () => {
    const e = badRecord(() => decode('1,a,abc,2020-01-01 00:00:00,true,2020-01-01,1'));
    expect(e.origin).toBe('file /data/x.csv line 12');
    expect(e.reason).toContain("column 'amount'");
    expect(e.message).toBe(`bad record at file /data/x.csv line 12: ${e.reason}`);
    expect(badRecord(() => decode('1,a,1,yesterday,true,2020-01-01,1')).reason).toContain("column 'ts'");
    expect(badRecord(() => decode('1,a,1,2020-01-01 00:00:00,true,2020-01-01,300')).reason).toContain("column 'small'");
    expect(badRecord(() => decode('9007199254740993,a,1,2020-01-01 00:00:00,true,2020-01-01,1')).reason).toContain("column 'id'");
  });

  it('fails on a wrong column count and on an unterminated quote', () => {
    expect(badRecord(() => decode('1,a,1')).reason).toBe('expected 7 columns but found 3');
    expect(badRecord(() => decode('1,a,1,2020-01-01 00:00:00,true,2020-01-01,1,extra')).reason).toBe('expected 7 columns but found 8');
    expect(badRecord(() => decode('1,"abc,1,2020-01-01 00:00:00,true,2020-01-01,1')).reason).toContain('unterminated');
  });

  it('returns null for malformed records when ignore-parse-errors is set', () => {
    const opts = { 'csv.ignore-parse-errors': 'true' };
    expect(decode('1,a,abc,2020-01-01 00:00:00,true,2020-01-01,1', opts)).toBeNull();
    expect(decode('1,a', opts)).toBeNull();
    expect(decode('1,a,1,2020-01-01 00:00:00,true,2020-01-01,1', opts)).not.toBeNull();
  });

  it('fast paths agree with parseValue on integers and timestamps', () => {
    const ts = declared[3];
    const tsDecoder = createCsvDecoder([ts], [ts], {});
    const decodeTs = (text: string, o: () => string) => tsDecoder.record(Buffer.from(text), o);
    const samples = [
      '2020-02-29 23:59:59.999', '1999-12-31 00:00:00.1', '2001-01-01 01:02:03.123456789', '2020-01-01', '0050-06-01 00:00:00',
      '2020-01-01T10:00:00', '2020-01-01 10:00:00Z', ' 2020-01-01 10:00:00',
    ];
    for (const s of samples) expect(decodeTs(s, origin)).toEqual({ ts: parseValue(s, ts.type) });
    // Dates that do not exist are bad records on both paths, never rolled over into the next month.
    for (const s of ['2021-02-29 00:00:00', '2020-13-01 00:00:00', '2020-04-31']) {
      expect(() => parseValue(s, ts.type)).toThrow(/is not a TIMESTAMP/);
      expect(() => decodeTs(s, origin)).toThrow(/is not a TIMESTAMP/);
    }
    const big = declared[0];
    const intDecoder = createCsvDecoder([big], [big], {});
    const decodeInt = (text: string, o: () => string) => intDecoder.record(Buffer.from(text), o);
    for (const s of ['0', '-0', '+15', '123456789012345', '1234567890123456', ' 42 ', '-9007199254740991']) {
      expect(decodeInt(s, origin)).toEqual({ id: parseValue(s, big.type) });
    }
  });
});

describe('csv encoder', () => {
  it('writes Flink spellings and quotes only when needed', () => {
    const encode = createCsvEncoder(declared, {});
    const row: Row = { id: 1, name: 'a, "b"', amount: 12, ts: Date.UTC(2020, 0, 1, 10, 0, 0, 5), ok: false, day: Date.UTC(2020, 0, 2), small: null };
    expect(encode(row)).toBe('1,"a, ""b""",12.0,2020-01-01 10:00:00.005,false,2020-01-02,');
    expect(createCsvEncoder(declared, { 'csv.null-literal': 'NULL' })({ ...row, name: 'NULL' })).toBe('1,"NULL",12.0,2020-01-01 10:00:00.005,false,2020-01-02,NULL');
  });

  it('round-trips rows through encode and decode', () => {
    const options = { 'csv.null-literal': '\\N' };
    const encode = createCsvEncoder(declared, options);
    const dec = createCsvDecoder(declared, declared, options);
    const texts = ['plain', 'with,comma', 'with "quotes"', 'line\nbreak', '', ' spaced ', '\\N', 'ünïcødé'];
    const rows: Row[] = [];
    for (let i = 0; i < 200; i++) {
      rows.push({
        id: i * 7919 - 500,
        name: i % 9 === 8 ? null : texts[i % texts.length],
        amount: i % 5 === 0 ? null : (i * 1.25) / 3,
        ts: Date.UTC(2020, 0, 1) + i * 3_600_123,
        ok: i % 3 === 0,
        day: Date.UTC(2020, 0, 1 + i),
        small: (i % 256) - 128,
      });
    }
    for (const row of rows) expect(dec.record(Buffer.from(encode(row)), origin)).toEqual(row);
  });
});
