// The three playground jobs, unchanged, on generated input: their Kafka/MySQL/Elasticsearch tables are
// swapped at run time for files and an in-memory sink (the documented --set override), and the results
// are compared with an independent computation, fused and unfused.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { compileJob } from '../../compiler/index.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { materialize, takeCollected } from '../../runtime/connectors/collect/sink.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { sortRows, tempDir, writeCsv } from '../helpers/tables.js';

const T0 = Date.UTC(2026, 0, 1, 8);

async function runJob(file: string, args: string[], sets: string[], fused: boolean) {
  const { plan } = await compileJob(file, { args });
  const id = `job-${Math.random()}`;
  const sink = plan.nodes.find((n) => n.kind === 'sink')!;
  const withSink = applyOverrides(plan, { sets: [...sets, `${(sink as { table: string }).table}.connector=collect`, `${(sink as { table: string }).table}.id=${id}`] });
  const runner = await runPlan(withSink, fused);
  const changelog = takeCollected(id);
  return { rows: materialize(changelog), runner };
}

describe.each([true, false])('playground jobs (fused: %s)', (fused) => {
  it('spend report: hourly sums per account', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => [(i % 5) + 1, (i * 37) % 1000, new Date(T0 + i * 45_000 - (i % 3) * 1000)] as [number, number, Date]);
    const file = writeCsv(rows);
    const { rows: got } = await runJob('jobs/spend-report.ts', [], ['transactions.connector=filesystem', `transactions.path=${file}`, 'transactions.format=csv'], fused);
    const sums = new Map<string, number>();
    for (const [a, amount, t] of rows) {
      const h = t.getTime() - (t.getTime() % 3_600_000);
      sums.set(`${a}|${h}`, (sums.get(`${a}|${h}`) ?? 0) + amount);
    }
    expect(sortRows(got)).toEqual(sortRows([...sums].map(([k, amount]) => { const [a, h] = k.split('|').map(Number); return { account_id: a, log_ts: h, amount }; })));
  });

  it('spend report (--window): hourly sums per account in a tumbling event-time hour; late transactions dropped', async () => {
    // 2 s of disorder (the watermark allows 5 s); from line 5000 on, every 100th a transaction 25 hours behind:
    // the watermark (which advances once per source batch of 4096 lines) passed its hour long before.
    const rows: [number, number, Date, boolean][] = [];
    for (let i = 0; i < 6000; i++) {
      rows.push([(i % 5) + 1, (i * 37) % 1000, new Date(T0 + i * 45_000 - (i % 3) * 1000), false]);
      if (i >= 5000 && i % 100 === 0) rows.push([(i % 5) + 1, 500 + (i % 7), new Date(T0 + (i - 2000) * 45_000), true]);
    }
    const file = writeCsv(rows.map(([a, amount, t]) => [a, amount, t]));
    const { rows: got, runner } = await runJob('jobs/spend-report.ts', ['--window'], ['transactions.connector=filesystem', `transactions.path=${file}`, 'transactions.format=csv'], fused);
    const sums = new Map<string, number>();
    for (const [a, amount, t, late] of rows) {
      if (late) continue;
      const h = t.getTime() - (t.getTime() % 3_600_000);
      sums.set(`${a}|${h}`, (sums.get(`${a}|${h}`) ?? 0) + amount);
    }
    expect(sortRows(got)).toEqual(sortRows([...sums].map(([k, amount]) => { const [a, h] = k.split('|').map(Number); return { account_id: a, log_ts: h, amount }; })));
    expect(runner.metrics.total('lateRecordsDropped')).toBe(rows.filter((r) => r[3]).length);
  });

  it('click event count (--event-time): exact counts per page and 15 s window; out-of-order kept, late dropped', async () => {
    const pages = ['/help', '/index', '/shop', '/jobs', '/about', '/news'];
    const perWindow = 60;
    const events: { timestamp: number; page: string; late?: boolean }[] = [];
    for (let w = 0; w < 20; w++) {
      for (let i = 0; i < perWindow * pages.length; i++) {
        // Evenly spaced within the window, 150 ms of disorder (the watermark allows 200 ms).
        const ts = T0 + w * 15_000 + Math.floor((i * 15_000) / (perWindow * pages.length)) + (i % 2 === 0 ? 0 : -150);
        events.push({ timestamp: Math.max(T0 + w * 15_000, ts), page: pages[i % pages.length] });
      }
      // 14 windows (210 s) late, and only after the source's first batch (4096 lines, 11 windows here): the
      // watermark advances once per batch, so it trails the newest records by up to a batch (Flink's periodic
      // watermark trails by up to 200 ms of reading, which is more than that).
      if (w >= 14) events.push({ timestamp: T0 + (w - 14) * 15_000 + 10, page: '/help', late: true });
    }
    const dir = tempDir();
    const file = path.join(dir, 'clicks.json');
    fs.writeFileSync(file, events.map((e) => JSON.stringify({ timestamp: formatTimestamp(e.timestamp), page: e.page })).join('\n') + '\n');
    const { rows: got, runner } = await runJob('jobs/click-event-count.ts', ['--event-time'],
      ['clicks.connector=filesystem', `clicks.path=${file}`, 'clicks.format=json'], fused);
    const expected: Record<string, unknown>[] = [];
    for (let w = 0; w < 20; w++) for (const page of pages) {
      expected.push({ windowStart: T0 + w * 15_000, windowEnd: T0 + (w + 1) * 15_000, page, count: perWindow });
    }
    expect(sortRows(got)).toEqual(sortRows(expected));
    expect(runner.metrics.total('lateRecordsDropped')).toBe(events.filter((e) => e.late).length);
  });

  it('payment msg processing: pay amount per province through the UDF', async () => {
    const provinces = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
    const msgs = Array.from({ length: 3000 }, (_, i) => ({
      createTime: formatTimestamp(T0 + i * 1000), orderId: 1_000_000 + i, payAmount: ((i * 7919) % 100_000) / 100, payPlatform: i % 2, provinceId: (i * 3) % 7,
    }));
    const file = path.join(tempDir(), 'payments.json');
    fs.writeFileSync(file, msgs.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const { rows: got } = await runJob('jobs/payment-msg-processing.ts', [], ['payment_msg.connector=filesystem', `payment_msg.path=${file}`, 'payment_msg.format=json'], fused);
    const sums = new Map<string, number>();
    for (const m of msgs) sums.set(provinces[m.provinceId], (sums.get(provinces[m.provinceId]) ?? 0) + m.payAmount);
    expect(sortRows(got)).toEqual(sortRows([...sums].map(([province, pay_amount]) => ({ province, pay_amount }))));
  });
});
