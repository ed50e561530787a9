// Batch mode (execution.runtime-mode = batch) over bounded Kafka input (scan.bounded.mode): final,
// insert-only results in which late records count (a batch has no watermark), checked against an independent
// count; the bounded modes read exactly their range. Real broker (fails when it is down).
import { afterAll, describe, expect, it } from 'vitest';
import { TableEnvironment, $, lit, Tumble } from 'sluice';
import { RowKind } from '../../runtime/core/row.js';
import { closeAdmin, createTopic, produce, uniqueTopic, BOOTSTRAP } from '../kafka/helpers.js';
import { sortRows } from '../helpers/tables.js';
import { UserError } from '../../runtime/core/errors.js';

const T0 = Date.UTC(2026, 0, 1);
// Clicks 1 s apart on 3 pages; every 7th record is 30 s behind (late: the watermark allows 2 s).
const clicks = Array.from({ length: 200 }, (_, i) => ({ ts: T0 + i * 1000 - (i % 7 === 6 ? 30_000 : 0), page: `/p${i % 3}` }));
const json = (c: { ts: number; page: string }) => JSON.stringify({ ts: new Date(c.ts).toISOString().replace('T', ' ').replace('Z', ''), page: c.page });

function env(topic: string, mode: 'batch' | 'streaming', extra: Record<string, string> = {}): TableEnvironment {
  const tEnv = TableEnvironment.create();
  tEnv.getConfig().set('execution.runtime-mode', mode);
  const opts = { connector: 'kafka', topic, 'properties.bootstrap.servers': BOOTSTRAP, 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset', format: 'json', ...extra };
  tEnv.executeSql(`CREATE TABLE clicks (ts TIMESTAMP(3), page STRING, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH (${Object.entries(opts).map(([k, v]) => `'${k}' = '${v}'`).join(', ')})`);
  return tEnv;
}

/** Counts per page and 10-second window, over the records given (an independent computation). */
function windowCounts(records: typeof clicks): { windowStart: number; page: string; n: number }[] {
  const m = new Map<string, number>();
  for (const c of records) {
    const k = `${c.ts - (c.ts % 10_000)}|${c.page}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return sortRows([...m].map(([k, n]) => ({ windowStart: Number(k.split('|')[0]), page: k.split('|')[1], n })));
}

const windowQuery = (tEnv: TableEnvironment) => tEnv.from('clicks')
  .window(Tumble.over(lit(10).seconds()).on($('ts')).as('w'))
  .groupBy($('w'), $('page'))
  .select($('w').start().as('windowStart'), $('page'), lit(1).count().as('n'));

describe('batch mode over bounded Kafka input', async () => {
  const topic = await createTopic(uniqueTopic('batch'));
  await produce(topic, clicks.map((c) => ({ value: json(c) })));
  afterAll(closeAdmin);

  it('windows: every record counts (late ones too), each window is emitted once', async () => {
    const batch = await windowQuery(env(topic, 'batch')).execute().collectChangelog();
    expect(batch.every((c) => c.kind === RowKind.INSERT)).toBe(true);
    expect(sortRows(batch.map((c) => ({ windowStart: c.row.windowStart, page: c.row.page, n: Number(c.row.n) })))).toEqual(windowCounts(clicks));
  });

  it('group aggregates: one final insert per key, no retractions', async () => {
    const q = (tEnv: TableEnvironment) => tEnv.from('clicks').groupBy($('page')).select($('page'), lit(1).count().as('n'));
    const batch = await q(env(topic, 'batch')).execute().collectChangelog();
    expect(batch.map((c) => c.kind)).toEqual([RowKind.INSERT, RowKind.INSERT, RowKind.INSERT]);
    expect(sortRows(batch.map((c) => ({ page: c.row.page, n: Number(c.row.n) })))).toEqual(
      ['/p0', '/p1', '/p2'].map((p) => ({ page: p, n: clicks.filter((c) => c.page === p).length })));
  });

  it("scan.bounded.mode 'specific-offsets' and scan.startup.specific-offsets read exactly that range", async () => {
    const rows = await windowQuery(env(topic, 'batch', {
      'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:20',
      'scan.bounded.mode': 'specific-offsets', 'scan.bounded.specific-offsets': 'partition:0,offset:120',
    })).execute().collect();
    expect(sortRows(rows.map((r) => ({ windowStart: r.windowStart, page: r.page, n: Number(r.n) })))).toEqual(windowCounts(clicks.slice(20, 120)));
  });

  it("scan.bounded.mode 'timestamp' stops at the first record at or after the time", async () => {
    // Record timestamps are the producer's (append time): all equal here, so a time before them reads nothing
    // and one after them reads everything.
    const none = await windowQuery(env(topic, 'batch', { 'scan.bounded.mode': 'timestamp', 'scan.bounded.timestamp-millis': '1' })).execute().collect();
    expect(none).toEqual([]);
    const all = await windowQuery(env(topic, 'batch', { 'scan.bounded.mode': 'timestamp', 'scan.bounded.timestamp-millis': String(Date.now() + 60_000) })).execute().collect();
    expect(all.reduce((s, r) => s + Number(r.n), 0)).toBe(clicks.length);
  });

  it('a processing-time window in batch mode fails with the reason', async () => {
    const tEnv = TableEnvironment.create();
    tEnv.getConfig().set('execution.runtime-mode', 'batch');
    tEnv.executeSql(`CREATE TABLE gen (page STRING, proc AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
    const q = tEnv.from('gen').window(Tumble.over(lit(10).seconds()).on($('proc')).as('w')).groupBy($('w'), $('page')).select($('page'), lit(1).count().as('n'));
    const err = await q.execute().collect().catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/execution.runtime-mode = batch: the window on 'proc' is a processing-time window/);
  });

  it('an unbounded source in batch mode fails before reading, saying how to bound it', async () => {
    const err = await windowQuery(env(topic, 'batch', { 'scan.bounded.mode': 'unbounded' })).execute().collect().catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/batch needs bounded sources, but table 'clicks' \(connector 'kafka'\) is unbounded/);
    expect(err.hint).toMatch(/scan\.bounded\.mode/);
  });
});
