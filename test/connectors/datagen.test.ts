// datagen: the Throttler's batch math, sequences, random ranges, seeds, bounds, restore, and option checks.
import { describe, expect, it } from 'vitest';
import { datagen } from '../../runtime/connectors/datagen/connector.js';
import { datagenOptions } from '../../runtime/connectors/datagen/options.js';
import { createSource } from '../../runtime/connectors/datagen/source.js';
import { throttleParams, Throttler } from '../../runtime/connectors/datagen/throttler.js';
import { DataTypes, type DataType, type Field } from '../../runtime/core/data-types.js';
import { validateOptions } from '../../runtime/core/options.js';
import { drain, sourceContext } from './context.js';

const field = (name: string, type: DataType): Field => ({ name, type });
const FAST = { 'rows-per-second': '100000000' };

async function generate(declared: Field[], options: Record<string, string>, fields = declared, limit = Infinity) {
  const reader = createSource(sourceContext(declared, { ...FAST, ...options }, fields));
  await reader.open(null);
  return (await drain(reader, limit)).rows;
}

describe('Throttler', () => {
  it('computes the playground batch sizes, including Java float rounding', () => {
    expect(throttleParams(200)).toEqual({ batchSize: 11, nanosPerBatch: 55_000_000 });
    expect(throttleParams(10_000)).toEqual({ batchSize: 20, nanosPerBatch: 2_000_000 });
    expect(throttleParams(100_000_000)).toEqual({ batchSize: 200_000, nanosPerBatch: 2_000_000 });
    // (int) (1e9f / 3f) and (int) (1e9f / 7f): the float quotients 333333344 and 142857136, not 333333333 / 142857142
    expect(throttleParams(3)).toEqual({ batchSize: 1, nanosPerBatch: 333_333_344 });
    expect(throttleParams(7)).toEqual({ batchSize: 1, nanosPerBatch: 142_857_136 });
    expect(throttleParams(9999)).toEqual({ batchSize: 500, nanosPerBatch: 100_010 * 500 });
  });

  it('sleeps for the rest of the slot when a batch completes early, as throttle() does', () => {
    let now = 0;
    const t = new Throttler(200, () => now);
    expect(t.rowsLeftInBatch()).toBe(11);
    expect(t.emitted(10)).toBe(0);
    now = 10_000_000;
    expect(t.emitted(1)).toBe(45); // slot ends at 55 ms
    expect(t.rowsLeftInBatch()).toBe(11);
    now = 60_000_000;
    expect(t.emitted(11)).toBe(50); // next slot ends at 110 ms
    now = 300_000_000;
    expect(t.emitted(11)).toBe(0); // behind: no sleep, the next slot starts now
    now = 310_000_000;
    expect(t.emitted(11)).toBe(45);
  });

  it('paces a source at about rows-per-second', async () => {
    const declared = [field('id', DataTypes.INT())];
    const reader = createSource(sourceContext(declared, { 'rows-per-second': '200', seed: '1' }));
    await reader.open(null);
    const start = performance.now();
    let rows = 0;
    while (performance.now() - start < 500) rows += (await reader.poll())!.rows.length;
    // 11 rows per 55 ms slot: about 110 in 0.5 s; loose bounds for slow machines
    expect(rows).toBeGreaterThanOrEqual(55);
    expect(rows).toBeLessThanOrEqual(165);
  });
});

describe('datagen source', () => {
  it('generates sequences and ends when one is exhausted', async () => {
    const declared = [field('id', DataTypes.BIGINT()), field('code', DataTypes.STRING()), field('r', DataTypes.INT())];
    const opts = {
      'fields.id.kind': 'sequence', 'fields.id.start': '10', 'fields.id.end': '2509',
      'fields.code.kind': 'sequence', 'fields.code.start': '1', 'fields.code.end': '100000',
    };
    const reader = createSource(sourceContext(declared, { ...FAST, ...opts }));
    expect(reader.bounded).toBe(true);
    expect(reader.splits()).toEqual(['datagen-0']);
    await reader.open(null);
    const batch = await reader.poll();
    expect(batch!.split).toBe('datagen-0');
    expect(batch!.rows.length).toBeLessThanOrEqual(1024);
    const rest = (await drain(reader)).rows;
    const rows = [...batch!.rows, ...rest];
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 2500 }, (_, i) => 10 + i));
    expect(rows.map((r) => r.code)).toEqual(Array.from({ length: 2500 }, (_, i) => String(1 + i)));
    expect(await reader.poll()).toBeNull();
  });

  it('stops after number-of-rows and is unbounded without it', async () => {
    const declared = [field('x', DataTypes.INT())];
    expect(await generate(declared, { 'number-of-rows': '3000' })).toHaveLength(3000);
    expect(createSource(sourceContext(declared, {})).bounded).toBe(false);
    expect(await generate(declared, { 'number-of-rows': '0' })).toHaveLength(0);
  });

  it('keeps random values within their ranges and options', async () => {
    const declared = [
      field('i', DataTypes.INT()), field('d', DataTypes.DOUBLE()), field('dec', DataTypes.DECIMAL(5, 2)),
      field('s', DataTypes.STRING()), field('v', DataTypes.VARCHAR(12)), field('c', DataTypes.CHAR(3)), field('var', DataTypes.STRING()),
      field('b', DataTypes.BOOLEAN()), field('ts', DataTypes.TIMESTAMP(3)), field('day', DataTypes.DATE()),
      field('tiny', DataTypes.TINYINT()), field('big', DataTypes.BIGINT()), field('n', DataTypes.INT()),
    ];
    const before = Date.now();
    const rows = await generate(declared, {
      'number-of-rows': '5000', seed: '42',
      'fields.i.min': '-5', 'fields.i.max': '5',
      'fields.d.min': '1', 'fields.d.max': '2',
      'fields.dec.min': '0', 'fields.dec.max': '10',
      'fields.var.length': '5', 'fields.var.var-len': 'true',
      'fields.ts.max-past': '1 h', 'fields.day.max-past': '30 d',
      'fields.n.null-rate': '0.3',
    });
    const after = Date.now();
    expect(rows).toHaveLength(5000);
    const col = (name: string) => rows.map((r) => r[name]);
    expect(new Set(col('i'))).toEqual(new Set(Array.from({ length: 11 }, (_, k) => k - 5)));
    expect(col('d').every((v) => (v as number) >= 1 && (v as number) <= 2)).toBe(true);
    // DECIMAL(5, 2) values are exact: bigints of hundredths (core/decimal.ts) between 0 and 10.00.
    expect(col('dec').every((v) => typeof v === 'bigint' && v >= 0n && v <= 1000n)).toBe(true);
    expect(col('s').every((v) => /^[0-9a-f]{100}$/.test(v as string))).toBe(true);
    expect(col('v').every((v) => /^[0-9a-f]{12}$/.test(v as string))).toBe(true);
    expect(col('c').every((v) => /^[0-9a-f]{3}$/.test(v as string))).toBe(true);
    expect(new Set(col('var').map((v) => (v as string).length))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(new Set(col('b'))).toEqual(new Set([true, false]));
    expect(col('ts').every((v) => (v as number) >= before - 3_600_000 && (v as number) <= after)).toBe(true);
    expect(col('day').every((v) => (v as number) % 86_400_000 === 0 && (v as number) >= before - 31 * 86_400_000 && (v as number) <= after)).toBe(true);
    expect(col('tiny').every((v) => Number.isInteger(v) && (v as number) >= -128 && (v as number) <= 127)).toBe(true);
    expect(col('big').every((v) => Number.isSafeInteger(v))).toBe(true);
    const nulls = col('n').filter((v) => v === null).length / rows.length;
    expect(nulls).toBeGreaterThan(0.25);
    expect(nulls).toBeLessThan(0.35);
    expect(col('i').every((v) => v !== null)).toBe(true);
  });

  it('is deterministic under a seed, also when fewer columns are read', async () => {
    const declared = [field('a', DataTypes.BIGINT()), field('b', DataTypes.STRING()), field('c', DataTypes.DOUBLE())];
    const opts = { seed: '12345', 'number-of-rows': '2000', 'fields.b.length': '10' };
    const first = await generate(declared, opts);
    expect(await generate(declared, opts)).toEqual(first);
    const other = await generate(declared, { ...opts, seed: '54321' });
    expect(other.filter((r, i) => r.a === first[i].a).length).toBeLessThan(5);
    const onlyB = await generate(declared, opts, [declared[1]]);
    expect(onlyB).toEqual(first.map((r) => ({ b: r.b })));
  });

  it('continues the same data after a restore, with or without a configured seed', async () => {
    const declared = [field('a', DataTypes.INT()), field('s', DataTypes.STRING())];
    for (const seed of [{ seed: '7' }, {}] as Record<string, string>[]) {
      const opts = { ...FAST, ...seed, 'number-of-rows': '5000', 'fields.s.length': '6' };
      const first = createSource(sourceContext(declared, opts));
      await first.open(null);
      const head = (await drain(first, 2048)).rows;
      const position = JSON.parse(JSON.stringify(first.snapshot()));
      expect(position.rows).toBe(head.length);
      const second = createSource(sourceContext(declared, opts));
      await second.open(position);
      const tail = (await drain(second)).rows;
      const whole = createSource(sourceContext(declared, opts));
      await whole.open({ rows: 0, seed: position.seed });
      expect([...head, ...tail]).toEqual((await drain(whole)).rows);
      expect(head.length + tail.length).toBe(5000);
    }
  });
});

describe('datagen options', () => {
  const declared = [field('amount', DataTypes.BIGINT()), field('name', DataTypes.STRING()), field('t', DataTypes.TIME())];
  const problems = (options: Record<string, string>, cols = declared.slice(0, 2)) => [
    ...validateOptions(datagenOptions, options),
    ...(datagen.validate?.({ table: 't', declared: cols, primaryKey: [], options }, 'source') ?? []),
  ];

  it('accepts Flink options', () => {
    expect(problems({ 'rows-per-second': '5', 'fields.amount.kind': 'sequence', 'fields.amount.start': '1', 'fields.amount.end': '9', 'fields.name.length': '4', 'fields.name.null-rate': '0.5' })).toEqual([]);
  });

  it('reports options naming no column, with a hint', () => {
    const p = problems({ 'fields.ammount.min': '1' });
    expect(p).toHaveLength(1);
    expect(p[0].hint).toBe("did you mean 'fields.amount.min'?");
  });

  it('reports options that do not apply, incomplete sequences, bad ranges and bad values', () => {
    expect(problems({ 'fields.name.min': '1' })[0].message).toBe("option 'fields.name.min' does not apply to a random STRING column");
    expect(problems({ 'fields.amount.kind': 'sequence', 'fields.amount.start': '1' }).map((p) => p.option)).toEqual(['fields.amount.end']);
    expect(problems({ 'fields.amount.min': '10', 'fields.amount.max': '1' })[0].option).toBe('fields.amount.max');
    expect(problems({ 'fields.amount.min': '1.5' })[0].message).toContain('must be an integer');
    expect(problems({ 'fields.amount.kind': 'seq' })[0].hint).toBe('allowed values: random, sequence');
    expect(problems({ 'rows-per-second': 'fast' })[0].option).toBe('rows-per-second');
    expect(problems({ 'fields.name.null-rate': '2' })[0].option).toBe('fields.name.null-rate');
    expect(problems({ 'fields.name.kind': 'random', 'fields.amount.max-past': 'soon' }).map((p) => p.option).sort()).toEqual(['fields.amount.max-past', 'fields.amount.max-past']);
    expect(problems({}, declared)[0].message).toBe("datagen cannot generate column 't' of type TIME");
  });
});
