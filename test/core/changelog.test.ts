// Non-windowed groupBy produces an upsert changelog (+I, then -U old / +U new per change); applied in order
// it must equal an independent aggregation. Also: sinks are told the changelog, and exactness of integers.
import { describe, it, expect } from 'vitest';
import { TableEnvironment, $, DataTypes, TimeIntervalUnit } from 'sluice';
import { RowKind } from '../../runtime/core/row.js';
import { registerCsv, sortRows, writeCsv } from '../helpers/tables.js';

const T0 = Date.UTC(2026, 0, 1);

function transactions(n: number) {
  const rows: [number, number, Date][] = [];
  for (let i = 0; i < n; i++) rows.push([(i * 7) % 5 + 1, (i * 31) % 1000, new Date(T0 + i * 97_000)]);
  return rows;
}

function env(rows: [number, number, Date][]) {
  const tEnv = TableEnvironment.create();
  registerCsv(tEnv, { name: 'transactions', columns: [['account_id', DataTypes.BIGINT()], ['amount', DataTypes.BIGINT()], ['transaction_time', DataTypes.TIMESTAMP(3)]], file: writeCsv(rows) });
  return tEnv;
}

const spendReport = (tEnv: TableEnvironment) => tEnv.from('transactions')
  .select($('account_id'), $('transaction_time').floor(TimeIntervalUnit.HOUR).as('log_ts'), $('amount'))
  .groupBy($('account_id'), $('log_ts'))
  .select($('account_id'), $('log_ts'), $('amount').sum().as('amount'));

describe('group aggregate changelog', () => {
  const rows = transactions(5000);
  const expected = new Map<string, number>();
  for (const [a, amount, t] of rows) {
    const h = t.getTime() - (t.getTime() % 3_600_000);
    expected.set(`${a}|${h}`, (expected.get(`${a}|${h}`) ?? 0) + amount);
  }
  const expectedRows = sortRows([...expected].map(([k, amount]) => { const [a, h] = k.split('|').map(Number); return { account_id: a, log_ts: h, amount }; }));

  for (const fused of [true, false]) {
    it(`spend report changelog is a valid upsert stream (${fused ? 'fused' : 'unfused'})`, async () => {
      if (!fused) process.env.SLUICE_UNFUSED = '1';
      try {
        const changelog = await spendReport(env(rows)).execute().collectChangelog();
        const state = new Map<string, Record<string, unknown>>();
        for (let i = 0; i < changelog.length; i++) {
          const { kind, row } = changelog[i];
          const key = `${row.account_id}|${row.log_ts}`;
          if (kind === RowKind.INSERT) { expect(state.has(key)).toBe(false); state.set(key, row); }
          else if (kind === RowKind.UPDATE_BEFORE) {
            expect(state.get(key)).toEqual(row);
            expect(changelog[i + 1].kind).toBe(RowKind.UPDATE_AFTER);
            state.delete(key);
          } else if (kind === RowKind.UPDATE_AFTER) { state.set(key, row); }
          else throw new Error('no deletes expected');
        }
        expect(sortRows([...state.values()])).toEqual(expectedRows);
        expect(changelog.some((c) => c.kind === RowKind.UPDATE_AFTER)).toBe(true);
      } finally {
        delete process.env.SLUICE_UNFUSED;
      }
    });
  }

  it('rows out of time order: each (account, hour) still sums its own rows', async () => {
    // Every other row moves back two hours, so an account's consecutive rows alternate between hours (the
    // generated lookup caches the last hour per account: this makes it miss as often as it hits).
    const shuffled = rows.map(([a, amount, t], i): [number, number, Date] => [a, amount, new Date(t.getTime() - (i % 2) * 7_200_000)]);
    const want = new Map<string, number>();
    for (const [a, amount, t] of shuffled) {
      const key = `${a}|${t.getTime() - (t.getTime() % 3_600_000)}`;
      want.set(key, (want.get(key) ?? 0) + amount);
    }
    const got = await spendReport(env(shuffled)).execute().collect();
    expect(sortRows(got)).toEqual(sortRows([...want].map(([k, amount]) => { const [a, h] = k.split('|').map(Number); return { account_id: a, log_ts: h, amount }; })));
  });

  it('global aggregate without groupBy: one row, updated', async () => {
    const result = await env(rows).from('transactions').select($('amount').sum().as('total'), $('amount').max().as('mx'), $('amount').avg().as('av')).execute().collect();
    const total = rows.reduce((s, r) => s + r[1], 0);
    expect(result).toEqual([{ total, mx: Math.max(...rows.map((r) => r[1])), av: Math.trunc(total / rows.length) }]);
  });

  it('distinct aggregates and distinct()', async () => {
    const tEnv = env(rows);
    const got = await tEnv.from('transactions').groupBy($('account_id')).select($('account_id'), $('amount').count().distinct().as('d')).execute().collect();
    const exp = new Map<number, Set<number>>();
    for (const [a, amount] of rows) { if (!exp.has(a)) exp.set(a, new Set()); exp.get(a)!.add(amount); }
    expect(sortRows(got)).toEqual(sortRows([...exp].map(([account_id, s]) => ({ account_id, d: s.size }))));
    const accounts = await tEnv.from('transactions').select($('account_id')).distinct().execute().collect();
    expect(sortRows(accounts)).toEqual(sortRows([...exp.keys()].map((account_id) => ({ account_id }))));
  });

  it('an INT sum keeps its type and wraps around as Flink\'s (Java int arithmetic); a BIGINT one is exact', async () => {
    const tEnv = env([[1, 2147483647, new Date(T0)], [1, 1, new Date(T0)], [2, 2147483647, new Date(T0)], [2, 2147483647, new Date(T0)]]);
    const got = await tEnv.sqlQuery('SELECT account_id, SUM(CAST(amount AS INT)) AS i, SUM(amount) AS b FROM transactions GROUP BY account_id').execute().collect();
    // What real Flink 2.3 gives for SUM(INT) of 2147483647 and 1: -2147483648 (checked with PyFlink).
    const wrap = (n: number) => Number(BigInt.asIntN(32, BigInt(n)));
    expect(sortRows(got)).toEqual(sortRows([
      { account_id: 1, i: wrap(2147483648), b: 2147483648 },
      { account_id: 2, i: wrap(2 * 2147483647), b: 2 * 2147483647 },
    ]));
    expect(wrap(2147483648)).toBe(-2147483648);
  });

  it('a BIGINT sum beyond the exact integer range fails, naming the column, instead of rounding', async () => {
    const big = 2 ** 52;
    const tEnv = env([[1, big, new Date(T0)], [1, big, new Date(T0)], [1, big, new Date(T0)]]);
    await expect(tEnv.from('transactions').groupBy($('account_id')).select($('account_id'), $('amount').sum().as('total')).execute().collect())
      .rejects.toThrow(/total.*exact integer range/);
  });
});

describe('changelog sources', () => {
  it('kinds from a changelog source pass through calcs to the sink, with the upsert key as primary key', async () => {
    const { registerConnector } = await import('../../runtime/connectors/registry.js');
    const seen: { primaryKey: string[] }[] = [];
    const batches = [
      { split: 's', rows: [{ k: 1, v: 10 }, { k: 2, v: 20 }], kinds: [RowKind.INSERT, RowKind.INSERT] },
      { split: 's', rows: [{ k: 1, v: 10 }, { k: 1, v: 11 }, { k: 2, v: 20 }], kinds: [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE] },
    ];
    registerConnector({
      name: 'changelog-test-source', options: { keys: {} }, roles: ['source'], sinkAccepts: 'insert-only',
      load: async () => ({
        createSource: (ctx) => {
          seen.push({ primaryKey: ctx.primaryKey });
          let i = 0;
          return { bounded: true, async open() {}, async poll() { return i < batches.length ? batches[i++] : null; }, splits: () => ['s'], snapshot: () => i, async close() {} };
        },
      }),
    });
    for (const fused of [true, false]) {
      if (!fused) process.env.SLUICE_UNFUSED = '1';
      try {
        const tEnv = TableEnvironment.create();
        tEnv.registerTable({ name: 'cl', columns: [{ kind: 'physical', name: 'k', type: DataTypes.INT().notNull!() }, { kind: 'physical', name: 'v', type: DataTypes.INT() }],
          watermark: null, primaryKey: ['k'], options: { connector: 'changelog-test-source' } });
        // The upsert key is what makes a source a changelog; the catalog marks upsert-kafka tables that way.
        const source = tEnv.from('cl');
        Object.assign(source.node, { changelog: 'upsert', upsertKey: ['k'] });
        const changelog = await source.select($('k'), $('v').times(2).as('v2')).execute().collectChangelog();
        expect(changelog.map((c) => [c.kind, c.row.k, c.row.v2])).toEqual([
          [RowKind.INSERT, 1, 20], [RowKind.INSERT, 2, 40], [RowKind.UPDATE_BEFORE, 1, 20], [RowKind.UPDATE_AFTER, 1, 22], [RowKind.DELETE, 2, 40],
        ]);
      } finally {
        delete process.env.SLUICE_UNFUSED;
      }
    }
    expect(seen.map((s) => s.primaryKey)).toEqual([['k'], ['k']]);
  });
});
