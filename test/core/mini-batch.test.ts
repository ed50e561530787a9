// Mini-batch aggregation (table.exec.mini-batch.*): an updating aggregate holds its changes until the
// mini-batch is due (size in input rows, or latency, also while no input comes), flushes them before a
// snapshot and at the end of input; the changelog stays a valid upsert stream with the right final values.
import { beforeAll, describe, expect, it } from 'vitest';
import { TableEnvironment, $, DataTypes, TimeIntervalUnit } from 'sluice';
import { compileJob } from '../../compiler/index.js';
import { instantiate } from '../../compiler/codegen/instantiate.js';
import type { SinkWriter } from '../../runtime/core/connector.js';
import { createLogger } from '../../runtime/core/log.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { registerConnector } from '../../runtime/connectors/registry.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { JobRunner } from '../../runtime/exec/job-runner.js';
import { miniBatchSettings } from '../../runtime/exec/mini-batch.js';
import { registerCsv, sortRows, writeCsv } from '../helpers/tables.js';

const T0 = Date.UTC(2026, 0, 1);
// 5 accounts over about an hour and a half (rows 97 ms apart): 10 keys, each touched by every source batch.
const rows: [number, number, Date][] = Array.from({ length: 40_000 }, (_, i) => [(i * 7) % 5 + 1, (i * 31) % 1000, new Date(T0 + 1_800_000 + i * 97)]);
const expected = new Map<string, number>();
for (const [a, amount, t] of rows) {
  const key = `${a}|${t.getTime() - (t.getTime() % 3_600_000)}`;
  expected.set(key, (expected.get(key) ?? 0) + amount);
}

/** The spend report's changelog with these settings, checked to be a valid upsert stream; changes per key. */
async function spendChanges(config: Record<string, string>): Promise<Map<string, number>> {
  const tEnv = TableEnvironment.create();
  for (const [k, v] of Object.entries(config)) tEnv.getConfig().set(k, v);
  registerCsv(tEnv, { name: 'transactions', columns: [['account_id', DataTypes.BIGINT()], ['amount', DataTypes.BIGINT()], ['transaction_time', DataTypes.TIMESTAMP(3)]], file: writeCsv(rows) });
  const changelog = await tEnv.from('transactions')
    .select($('account_id'), $('transaction_time').floor(TimeIntervalUnit.HOUR).as('log_ts'), $('amount'))
    .groupBy($('account_id'), $('log_ts'))
    .select($('account_id'), $('log_ts'), $('amount').sum().as('amount'))
    .execute().collectChangelog();
  const state = new Map<string, number>();
  const changes = new Map<string, number>();
  for (let i = 0; i < changelog.length; i++) {
    const { kind, row } = changelog[i];
    const key = `${row.account_id}|${row.log_ts}`;
    if (kind === RowKind.UPDATE_BEFORE) {
      expect(state.get(key)).toBe(row.amount);
      expect(changelog[i + 1].kind).toBe(RowKind.UPDATE_AFTER);
      continue;
    }
    expect(kind === RowKind.INSERT ? !state.has(key) : state.has(key)).toBe(true);
    state.set(key, row.amount as number);
    changes.set(key, (changes.get(key) ?? 0) + 1);
  }
  expect(sortRows([...state].map(([k, v]) => ({ k, v })))).toEqual(sortRows([...expected].map(([k, v]) => ({ k, v }))));
  return changes;
}

const enabled = (latency: string, size?: number) => ({
  'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': latency, ...(size ? { 'table.exec.mini-batch.size': String(size) } : {}),
});

describe('mini-batch aggregation', () => {
  it('off: every source batch sends each key it touched', async () => {
    const changes = await spendChanges({});
    expect(Math.max(...changes.values())).toBeGreaterThan(4);
  });

  it('a latency longer than the job: each key once, at the end of the input', async () => {
    const changes = await spendChanges(enabled('1 h'));
    expect([...changes.values()].every((n) => n === 1)).toBe(true);
  });

  it('a size in input rows: a key changes at most once per mini-batch', async () => {
    // 40 000 rows, at least 12 000 a mini-batch: at most 3 mini-batches fill, and the end of input flushes a 4th.
    const changes = await spendChanges(enabled('1 h', 12_000));
    expect(Math.max(...changes.values())).toBeLessThanOrEqual(4);
    expect(Math.max(...changes.values())).toBeGreaterThan(1);
  });

  it('rejects settings Flink rejects, naming the key', () => {
    expect(miniBatchSettings({})).toBeNull();
    expect(miniBatchSettings({ 'table.exec.mini-batch.enabled': 'false', 'table.exec.mini-batch.allow-latency': 'x' })).toBeNull();
    expect(miniBatchSettings(enabled('2 s', 5000))).toEqual({ latencyMs: 2000, size: 5000 });
    expect(miniBatchSettings(enabled('500'))).toEqual({ latencyMs: 500, size: Infinity });
    expect(() => miniBatchSettings({ 'table.exec.mini-batch.enabled': 'true' })).toThrow(/allow-latency is not set/);
    expect(() => miniBatchSettings({ 'table.exec.mini-batch.enabled': 'yes' })).toThrow(/must be true or false/);
    expect(() => miniBatchSettings(enabled('soon'))).toThrow(/allow-latency: 'soon' is not a duration/);
    expect(() => miniBatchSettings({ ...enabled('1 s'), 'table.exec.mini-batch.size': '0' })).toThrow(/size: must be positive/);
  });
});

describe('mini-batches in a running job', () => {
  const received: { kind: RowKind; row: Row }[] = [];
  class RecordingWriter implements SinkWriter {
    async open(): Promise<void> {}
    write(batch: { rows: Row[]; kinds: RowKind[] | null }): void {
      batch.rows.forEach((row, i) => received.push({ kind: batch.kinds?.[i] ?? RowKind.INSERT, row }));
    }
    async flush(): Promise<void> {}
    async close(): Promise<void> {}
  }
  beforeAll(() => {
    registerConnector({ name: 'recording', options: { keys: {} }, roles: ['sink'], sinkAccepts: 'upsert', load: async () => ({ createSink: () => new RecordingWriter() }) });
  });

  async function start(latency: string, rate: number, signal: AbortSignal) {
    const compiled = await compileJob('test/cluster/fixtures/mini-batch-job.ts', { args: ['--rows', '1000000', '--rate', String(rate)] });
    const plan = applyOverrides(compiled.plan, { defines: [`table.exec.mini-batch.enabled=true`, `table.exec.mini-batch.allow-latency=${latency}`] });
    const r = new JobRunner(plan, { code: instantiate(compiled.code.factory, {}), log: createLogger('mini-batch', 'silent'), signal });
    const done = r.run();
    await r.started;
    return { r, done };
  }
  /** The last value per key of what the sink received. */
  const lastValues = () => new Map(received.filter((c) => c.kind !== RowKind.UPDATE_BEFORE).map((c) => [c.row.k, c.row.total]));
  /** Sums per id % 3 of the ids 1..n. */
  const sumsUpTo = (n: number) => new Map([0, 1, 2].flatMap((k) => {
    let total = 0;
    for (let id = 1; id <= n; id++) if (id % 3 === k) total += id;
    return total > 0 ? [[k, total]] : [];
  }));

  it('a due mini-batch goes out from the timer while no input comes; a snapshot flushes the rest first', async () => {
    received.length = 0;
    const controller = new AbortController();
    // Two ids a second: the first comes at once, the next only after the latency has long passed.
    const { r, done } = await start('50 ms', 2, controller.signal);
    await new Promise((res) => setTimeout(res, 300));
    expect(received).toEqual([{ kind: RowKind.INSERT, row: { k: 1, total: 1 } }]);
    const snap = await r.snapshot();
    // The snapshot's source position says how many ids were read; what the sink got covers all of them.
    const read = (snap.sources[Object.keys(snap.sources)[0]] as { rows: number }).rows;
    expect(read).toBeGreaterThan(0);
    expect(lastValues()).toEqual(sumsUpTo(read));
    controller.abort();
    await done;
  });

  it('a latency longer than the run: nothing goes out until the snapshot', async () => {
    received.length = 0;
    const controller = new AbortController();
    const { r, done } = await start('1 h', 20_000, controller.signal);
    await new Promise((res) => setTimeout(res, 200));
    expect(received).toEqual([]);
    const snap = await r.snapshot();
    const read = (snap.sources[Object.keys(snap.sources)[0]] as { rows: number }).rows;
    expect(lastValues()).toEqual(sumsUpTo(read));
    controller.abort();
    await done;
  });
});
