// print and blackhole sinks: Flink's Row.toString output with changelog kinds, prefixes, streams; counting.
import { afterEach, describe, expect, it } from 'vitest';
import { blackhole } from '../../runtime/connectors/blackhole/connector.js';
import { print } from '../../runtime/connectors/print/connector.js';
import { javaDouble, javaFloat } from '../../runtime/core/java-strings.js';
import { redirectPrint, type PrintStream } from '../../runtime/connectors/print/sink.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { RowKind } from '../../runtime/core/row.js';
import { sinkContext } from './context.js';

const schema: Field[] = [
  { name: 'id', type: DataTypes.BIGINT() },
  { name: 'ts', type: DataTypes.TIMESTAMP(3) },
  { name: 'amount', type: DataTypes.DOUBLE() },
  { name: 'name', type: DataTypes.STRING() },
];

function capture(): { text: () => string; streams: Set<PrintStream> } {
  let out = '';
  const streams = new Set<PrintStream>();
  redirectPrint((t, s) => { out += t; streams.add(s); });
  return { text: () => out, streams };
}

afterEach(() => redirectPrint(null));

describe('print sink', () => {
  it('prints each row as Flink does, with its changelog kind', async () => {
    const out = capture();
    const ctx = sinkContext(schema, {});
    const writer = (await print.load()).createSink!(ctx);
    await writer.open(null);
    await writer.write({
      rows: [
        { id: 1, ts: Date.UTC(2020, 0, 1), amount: 12, name: 'a, b' },
        { id: 1, ts: Date.UTC(2020, 0, 1, 10, 0, 1), amount: 12.5, name: null },
        { id: 2, ts: Date.UTC(2020, 0, 1, 10, 0, 0, 5), amount: 1e7, name: '' },
        { id: 3, ts: null, amount: 0.0001, name: 'x' },
      ],
      kinds: [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE],
    });
    await writer.flush();
    expect(out.text()).toBe(
      '+I[1, 2020-01-01T00:00, 12.0, a, b]\n' +
      '-U[1, 2020-01-01T10:00:01, 12.5, null]\n' +
      '+U[2, 2020-01-01T10:00:00.005, 1.0E7, ]\n' +
      '-D[3, null, 1.0E-4, x]\n',
    );
    expect(out.streams).toEqual(new Set(['stdout']));
  });

  it('prefixes the identifier and writes to stderr on request', async () => {
    const out = capture();
    const writer = (await print.load()).createSink!(sinkContext(schema, { 'print-identifier': 'report', 'standard-error': 'true' }));
    await writer.open(null);
    await writer.write({ rows: [{ id: 7, ts: Date.UTC(1999, 11, 31, 23, 59, 59, 999), amount: -3.25, name: 'z' }], kinds: null });
    expect(out.text()).toBe('report> +I[7, 1999-12-31T23:59:59.999, -3.25, z]\n');
    expect(out.streams).toEqual(new Set(['stderr']));
  });

  it('spells other types as their Java classes print', async () => {
    const out = capture();
    const types: Field[] = [
      { name: 'ltz', type: DataTypes.TIMESTAMP_LTZ(3) }, { name: 'd', type: DataTypes.DATE() }, { name: 'dec', type: DataTypes.DECIMAL(10, 2) },
      { name: 'f', type: DataTypes.FLOAT() }, { name: 'b', type: DataTypes.BOOLEAN() }, { name: 'arr', type: DataTypes.ARRAY(DataTypes.INT()) },
    ];
    const writer = (await print.load()).createSink!(sinkContext(types, {}));
    await writer.write({ rows: [{ ltz: Date.UTC(2020, 0, 1), d: Date.UTC(2020, 0, 2), dec: 1250n, f: Math.fround(0.1), b: true, arr: [1, null] }], kinds: null });
    expect(out.text()).toBe('+I[2020-01-01T00:00:00Z, 2020-01-02, 12.50, 0.1, true, [1, null]]\n');
  });

  it('follows Java Double.toString and Float.toString', () => {
    const cases: [number, string][] = [[0, '0.0'], [1, '1.0'], [123456.789, '123456.789'], [9999999, '9999999.0'], [1e7, '1.0E7'], [1.5e-4, '1.5E-4'], [0.001, '0.001'], [-2.5e21, '-2.5E21'], [NaN, 'NaN']];
    for (const [n, s] of cases) expect(javaDouble(n)).toBe(s);
    expect(javaFloat(Math.fround(1.1))).toBe('1.1');
    expect(javaFloat(Math.fround(3.4028235e38))).toBe('3.4028235E38');
  });

  it('accepts any changelog', () => {
    expect(print.sinkAccepts).toBe('upsert');
  });
});

describe('blackhole sink', () => {
  it('takes rows of every changelog kind and discards them', async () => {
    const ctx = sinkContext(schema, {});
    const writer = (await blackhole.load()).createSink!(ctx);
    await writer.open(null);
    await writer.write({ rows: [{ id: 1 }, { id: 2 }], kinds: null });
    await writer.write({ rows: [{ id: 3 }], kinds: [RowKind.DELETE] });
    await writer.flush();
    await writer.close();
    expect(ctx.metrics.badRecordsSkipped).toBe(0);
    expect(blackhole.sinkAccepts).toBe('upsert');
  });
});
