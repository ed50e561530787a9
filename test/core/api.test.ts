// The Table API against independent computations: expressions with SQL NULL semantics, column operations,
// unionAll, schemas; each query runs fused and unfused and both must agree.
import { describe, it, expect } from 'vitest';
import { TableEnvironment, $, lit, call, DataTypes, TimeIntervalUnit, Tumble } from 'sluice';
import { collectBothWays, registerCsv, sortRows, writeCsv } from '../helpers/tables.js';

const T0 = Date.UTC(2026, 2, 14, 10, 30, 15, 250);
type In = { id: number; name: string; qty: number | null; price: number; ts: number };
const input: In[] = Array.from({ length: 200 }, (_, i) => ({
  id: i, name: ['alpha', 'Beta', 'gamma', ' delta '][i % 4], qty: i % 9 === 0 ? null : (i * 7) % 23 - 5, price: ((i * 13) % 100) / 4, ts: T0 + i * 1_234_567,
}));

function env() {
  const tEnv = TableEnvironment.create();
  const file = writeCsv(input.map((r) => [r.id, r.name, r.qty, r.price, new Date(r.ts)]));
  registerCsv(tEnv, { name: 'items', file, columns: [['id', DataTypes.BIGINT()], ['name', DataTypes.STRING()], ['qty', DataTypes.INT()], ['price', DataTypes.DOUBLE()], ['ts', DataTypes.TIMESTAMP(3)]] });
  return tEnv;
}

const nn = <T>(v: T | null, f: (x: T) => unknown) => (v === null ? null : f(v));

describe('expressions', () => {
  it('arithmetic, comparison and logic with NULLs', async () => {
    const tEnv = env();
    const got = await collectBothWays(() => tEnv.from('items').select(
      $('id'),
      $('qty').plus(1).as('p1'),
      $('qty').times(2).minus($('id')).as('m'),
      $('qty').dividedBy(4).as('d'),            // INT / INT truncates
      $('qty').mod(5).as('r'),
      $('price').dividedBy(2).as('half'),
      $('qty').isGreater(3).as('gt'),
      $('qty').isGreater(3).or($('id').isLess(10)).as('o'),
      $('qty').isGreater(3).and($('id').isLess(10)).as('a'),
      $('qty').isNull().as('isn'),
      $('qty').between(0, 10).as('btw'),
      $('id').in(1, 2, 3).as('inn'),
      $('qty').isGreater(0).ifThenElse('pos', 'nonpos').as('sign'),
    ));
    const exp = input.map((r) => {
      const gt = nn(r.qty, (q) => q > 3);
      return {
        id: r.id, p1: nn(r.qty, (q) => q + 1), m: nn(r.qty, (q) => q * 2 - r.id), d: nn(r.qty, (q) => Math.trunc(q / 4) | 0), // Java's int: -3 / 4 is 0, not -0
        r: nn(r.qty, (q) => q % 5), half: r.price / 2, gt,
        o: gt === true || r.id < 10 ? true : gt === null ? null : false,
        a: gt === false || !(r.id < 10) ? false : gt === null ? null : true,
        isn: r.qty === null, btw: nn(r.qty, (q) => q >= 0 && q <= 10), inn: [1, 2, 3].includes(r.id),
        sign: r.qty !== null && r.qty > 0 ? 'pos' : 'nonpos',
      };
    });
    expect(sortRows(got)).toEqual(sortRows(exp));
  });

  it('strings, casts and time functions', async () => {
    const tEnv = env();
    const got = await collectBothWays(() => tEnv.from('items').select(
      $('id'),
      $('name').upperCase().as('u'), $('name').lowerCase().as('l'), $('name').charLength().as('n'),
      $('name').substring(2, 3).as('sub'), $('name').trim().as('t'), $('name').concat('-', $('id').cast(DataTypes.STRING())).as('c'),
      $('name').like('%a%').as('lk'),
      $('ts').floor(TimeIntervalUnit.HOUR).as('fh'), $('ts').ceil(TimeIntervalUnit.MINUTE).as('cm'), $('ts').floor(TimeIntervalUnit.MONTH).as('fm'),
      $('price').cast(DataTypes.INT()).as('pi'),
      call('DATE_FORMAT', $('ts'), 'yyyy-MM-dd HH:mm').as('df'),
    ));
    const pad = (n: number) => String(n).padStart(2, '0');
    const exp = input.map((r) => {
      const d = new Date(r.ts);
      return {
        id: r.id, u: r.name.toUpperCase(), l: r.name.toLowerCase(), n: r.name.length, sub: r.name.slice(1, 4), t: r.name.trim(),
        c: `${r.name}-${r.id}`, lk: r.name.includes('a'),
        fh: r.ts - (r.ts % 3_600_000), cm: r.ts % 60_000 === 0 ? r.ts : r.ts - (r.ts % 60_000) + 60_000, fm: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
        pi: Math.trunc(r.price),
        df: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
      };
    });
    expect(sortRows(got)).toEqual(sortRows(exp));
  });

  it('where/filter keep only rows whose predicate is TRUE (NULL drops the row)', async () => {
    const tEnv = env();
    const got = await collectBothWays(() => tEnv.from('items').where($('qty').isGreater(5)).filter($('name').isNotEqual('Beta')).select($('id')));
    expect(sortRows(got)).toEqual(sortRows(input.filter((r) => r.qty !== null && r.qty > 5 && r.name !== 'Beta').map((r) => ({ id: r.id }))));
  });
});

describe('column operations and schemas', () => {
  it('addColumns, dropColumns, renameColumns', async () => {
    const tEnv = env();
    const t = tEnv.from('items').addColumns($('price').times(2).as('p2')).dropColumns($('ts'), $('qty')).renameColumns($('name').as('label'));
    expect(t.getSchema().map((f) => f.name)).toEqual(['id', 'label', 'price', 'p2']);
    const got = await collectBothWays(() => t);
    expect(sortRows(got)).toEqual(sortRows(input.map((r) => ({ id: r.id, label: r.name, price: r.price, p2: r.price * 2 }))));
  });

  it('printSchema shows types and the time attribute', () => {
    const tEnv = TableEnvironment.create();
    registerCsv(tEnv, { name: 'e', file: '/dev/null', columns: [['k', DataTypes.INT().notNull!()], ['ts', DataTypes.TIMESTAMP(3)]], watermark: { column: 'ts', delayMs: 5000 } });
    expect(tEnv.from('e').printSchema()).toBe('(\n  `k` INT NOT NULL,\n  `ts` TIMESTAMP(3) *ROWTIME*\n)');
  });

  it('unionAll concatenates; a schema mismatch is a compile error', async () => {
    const tEnv = env();
    const a = tEnv.from('items').where($('id').isLess(5)).select($('id'), $('name'));
    const b = tEnv.from('items').where($('id').isGreater(195)).select($('id'), $('name'));
    const got = await collectBothWays(() => a.unionAll(b));
    expect(sortRows(got)).toEqual(sortRows(input.filter((r) => r.id < 5 || r.id > 195).map((r) => ({ id: r.id, name: r.name }))));
    expect(() => a.unionAll(tEnv.from('items').select($('name'), $('id')))).toThrow(/unionAll of tables with different schemas/);
  });

  it('grouped select: neither grouped nor aggregated is an error with a hint', () => {
    const tEnv = env();
    expect(() => tEnv.from('items').groupBy($('name')).select($('name'), $('qty'))).toThrow(/column 'qty' is neither grouped nor aggregated/);
  });

  it('a window on a column that is not a time attribute is an error with a hint', () => {
    expect(() => env().from('items').window(Tumble.over(lit(1).minutes()).on($('ts')).as('w'))
      .groupBy($('w')).select($('id').count())).toThrow(/not a time attribute/);
  });
});

describe('Table.explain()', () => {
  it('shows the query as a plan: logical, optimized with pruned source fields, and fused stages', () => {
    const text = env().from('items').where($('qty').isGreater(1)).select($('id'), $('price').times(2).as('p2')).explain();
    expect(text).toMatch(/== Logical Plan ==\nSink\(table=\[<explain>\]/);
    expect(text).toMatch(/Calc\(select=\[id, \(price \* 2\) AS p2\]/);
    expect(text).toMatch(/Source\(table=\[items\], connector=\[filesystem\], fields=\[id, qty, price\]\)/);
    expect(text).toMatch(/s1: Source\(items\) → Calc → Calc → Sink\(<explain>\)\s+\[\d+ bytes of generated code\]/);
  });
});

describe('configuration', () => {
  it('getConfig().set keeps Flink keys in the plan; pipeline.name names the job', () => {
    const tEnv = env();
    tEnv.getConfig().set('pipeline.name', 'Renamed').set('table.exec.source.idle-timeout', '5 s');
    const plan = tEnv.buildPlan('Original', []);
    expect(plan.name).toBe('Renamed');
    expect(plan.config['table.exec.source.idle-timeout']).toBe('5 s');
  });
});
