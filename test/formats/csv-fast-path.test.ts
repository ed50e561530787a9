// The generated csv fast path (runtime/formats/csv-fast-path.ts) against the generic decoder: for random lines
// over every column type, with projections, both give the same row, skip or error, line for line, whether the
// line is a whole message or one line of a chunk.
import { describe, expect, it } from 'vitest';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import type { BytesDecoder, FastDecoder } from '../../runtime/formats/codec.js';
import { createCsvDecoder, createGenericCsvDecoder } from '../../runtime/formats/csv.js';
import { compileCsvFastPath } from '../../runtime/formats/csv-fast-path.js';
import { csvSettings } from '../../runtime/formats/format-options.js';

const declared: Field[] = [
  { name: 'id', type: DataTypes.BIGINT() },
  { name: 'name', type: DataTypes.STRING() },
  { name: 'amount', type: DataTypes.DOUBLE() },
  { name: 'ts', type: DataTypes.TIMESTAMP(3) },
  { name: 'ok', type: DataTypes.BOOLEAN() },
  { name: 'day', type: DataTypes.DATE() },
  { name: 'small', type: DataTypes.TINYINT() },
  { name: 'n', type: DataTypes.INT() },
];

// Deterministic pseudo-random numbers (a test must not depend on luck).
let seed = 12345;
const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 16) % n; };
// Half the picks come from each list's first three tokens, which are (mostly) valid, so that whole lines
// often reach the fast path's end rather than being declined at their first odd field.
const pick = <T>(xs: readonly T[]): T => xs[rnd(2) === 0 ? rnd(3) : rnd(xs.length)];

const TOKENS: Record<string, readonly string[]> = {
  BIGINT: ['0', '7', '-12', '+5', '-0', '123456789012345', '1234567890123456', '9007199254740993', '', ' 1', '1.5', 'x', '00042'],
  STRING: ['alice', '', 'a b', '"q"', 'x"y', 'N', '#c', '1,2'],
  DOUBLE: ['12.5', '-0.25', '1.', '.5', '-.5', '0', '-0', '-0.0', '1e3', '123456789012345', '1234567890123456', '1.234567890123456', '', '.', '-', 'Infinity', ' 2', '0x10', '12.5.1'],
  TIMESTAMP: ['2020-01-01 10:11:12.345', '2020-01-01 10:11:12', '2020-01-01', '2020-01-01 10:11:60', '2020-01-01 10:11:5', '2020-01-01 10:11:12.', '2020-01-01 10:11:12.34', '2020-02-30 00:00:00', '2020-01-01 24:00:00.000', '2020-01-01 10:11:12.3456789', '2020-01-01T10:11:12', '0099-01-01 00:00:00', '', 'x', '2020-1-01 00:00:00.000', '2024-02-29 23:59:59.999', '2023-02-29 00:00:00.000',
    // Millisecond spellings sharing the minute above with a bad byte after it (the fast path reads those as words).
    '2020-01-01 10:11:1x.345', '2020-01-01 10:11:12:345', '2020-01-01 10:11:60.000', '2020-01-01 10:11:12.3a5', '2020-01-01 10:11:12.34/',
    '2020-01-01 10:11:0/.999', '2020-01-01 10:11:12.~45', '2020-01-01 10:11:59.999', '2020-01-01 10:12:00.001', '2020-13-01 10:11:12.345', '2020-01-01 10:11:12.345 '],
  BOOLEAN: ['true', 'false', 'TRUE', ' true', '', 'yes'],
  DATE: ['2021-03-04', '2021-03-04 10:00:00', '2021-13-01', ''],
  TINYINT: ['1', '-7', '99', '127', '128', '-128', '300', ''],
  INT: ['0', '2147483647', '2147483648', '-2147483648', '12345678901', ''],
};

function randomLine(): string {
  const cols = declared.map((d) => pick(TOKENS[d.type.name]));
  const r = rnd(20);
  if (r === 0) cols.pop(); // too few columns
  if (r === 1) cols.push('extra'); // too many
  if (r === 2) return '';
  return cols.join(',');
}

const origin = () => 'test line';
type Decode = (text: string, origin: () => string) => unknown;
const outcome = (decode: Decode, line: string): unknown => {
  try {
    return { value: decode(line, origin) };
  } catch (e) {
    return { error: (e as Error).message };
  }
};
/** The line as the bytes of a whole message (Kafka). */
const asRecord = (d: BytesDecoder): Decode => (text, o) => d.record(Buffer.from(text), o);
/** The line inside a chunk of a file, between other lines, as the filesystem source reads it. */
const inChunk = (d: BytesDecoder): Decode => (text, o) => {
  const b = Buffer.from(`x,y\n${text}\r\nnext,line\n`);
  const row = d.line(b, 4, o);
  expect(b.subarray(d.next).toString()).toBe('next,line\n');
  return row;
};
const fastBytes = (f: FastDecoder, text: string) => f(Buffer.from(text), 0, { next: 0 });

describe('csv fast path', () => {
  const projections: Field[][] = [declared, [declared[3], declared[0]], [declared[2], declared[7]], [declared[1]], [declared[6], declared[5], declared[4]]];
  const settings: Record<string, string>[] = [{}, { 'csv.ignore-parse-errors': 'true' }, { 'csv.allow-comments': 'true' }, { 'csv.field-delimiter': ';' }];
  for (const options of settings) {
    it(`agrees with the generic decoder on random lines, as messages and inside chunks (${JSON.stringify(options)})`, () => {
      for (const fields of projections) {
        const bytes = createCsvDecoder(declared, fields, options);
        const generic = createGenericCsvDecoder(declared, fields, options);
        const delimiter = options['csv.field-delimiter'];
        for (let i = 0; i < 3000; i++) {
          const line = delimiter ? randomLine().replaceAll(',', delimiter) : randomLine();
          const expected = outcome(generic, line);
          expect(outcome(asRecord(bytes), line), line).toEqual(expected);
          expect(outcome(inChunk(bytes), line), line).toEqual(expected);
        }
      }
    });
  }

  it('writes into a row it is given when it takes the line, and leaves that row alone when it declines', () => {
    const fields = [declared[3], declared[0], declared[2]];
    const d = createCsvDecoder(declared, fields, {});
    const generic = createGenericCsvDecoder(declared, fields, {});
    let took = 0;
    for (let i = 0; i < 3000; i++) {
      const line = randomLine();
      const into = { ts: -1, id: -1, amount: -1 };
      const expected = outcome(generic, line);
      const got = outcome((text, o) => d.line(Buffer.from(text), 0, o, into), line) as { value?: unknown };
      expect(got, line).toEqual(expected);
      if (got.value === into) took++;
      else expect(into, line).toEqual({ ts: -1, id: -1, amount: -1 });
    }
    expect(took).toBeGreaterThan(100);
  });

  it('takes the plain lines itself and declines what it does not understand', () => {
    const fast = compileCsvFastPath(declared, declared, csvSettings({}))!;
    expect(fastBytes(fast, '42,alice,12.5,2020-01-01 10:11:12.345,true,2021-03-04,-7,5')).toEqual({
      id: 42, name: 'alice', amount: 12.5, ts: Date.UTC(2020, 0, 1, 10, 11, 12, 345), ok: true, day: Date.UTC(2021, 2, 4), small: -7, n: 5,
    });
    expect(fastBytes(fast, '42,"alice",12.5,2020-01-01 10:11:12.345,true,2021-03-04,-7,5')).toBeUndefined();
    expect(fastBytes(fast, '42,alice,,2020-01-01 10:11:12.345,true,2021-03-04,-7,5')).toBeUndefined();
    expect(fastBytes(fast, '42,ali\rce,1,2020-01-01 10:11:12.345,true,2021-03-04,-7,5')).toBeUndefined();
    expect(compileCsvFastPath(declared, declared, csvSettings({ 'csv.null-literal': 'N' }))).toBeNull();
  });

  it('walks a chunk of lines, ending each at its newline, CRLF or not, the last one at the end of the bytes', () => {
    const d = createCsvDecoder(declared, [declared[1], declared[0]], {});
    const lines = ['1,a,1.5,2020-01-01,true,2020-01-01,1,1', '2,b,2.5,2020-01-02,false,2020-01-02,2,2\r', '3,c,3.5,2020-01-03,true,2020-01-03,3,3'];
    const b = Buffer.from(lines.join('\n'));
    const rows: unknown[] = [];
    for (let p = 0; p < b.length; p = d.next) rows.push(d.line(b, p, origin));
    expect(rows).toEqual([{ name: 'a', id: 1 }, { name: 'b', id: 2 }, { name: 'c', id: 3 }]);
  });

  it('reads strings as UTF-8 and gives every field its own text, however many distinct strings there are', () => {
    const d = createCsvDecoder([declared[1], declared[0]], [declared[1], declared[0]], {});
    const names = ['ünïcødé', '東京', 'plain', ''];
    for (let i = 0; i < 5000; i++) names.push(`page-${(i * 7919) % 3001}`, 'x'.repeat(i % 70));
    const b = Buffer.from(names.map((n, i) => `${n},${i}\n`).join(''));
    const got: unknown[] = [];
    for (let p = 0; p < b.length; p = d.next) got.push(d.line(b, p, origin));
    expect(got).toEqual(names.map((name, id) => ({ name, id })));
  });
});
