// `sluice datagen` against the real broker: the clicks give exactly 1000 clicks per page in every 15 s window
// (counted here from the raw records, independently of the engine), transactions follow the table
// walkthrough's supplier and the requested rate, payments the pyflink generator; the clicks' timestamps are
// read by a json kafka table with a TIMESTAMP(3) column, as the click-event-count job declares it.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSource } from '../../runtime/connectors/kafka/source.js';
import { runDatagenCommand } from '../../runtime/cli/datagen-command.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { UserError } from '../../runtime/core/errors.js';
import { CLICK_PAGES, ClickIterator } from '../../runtime/playground-data/clicks.js';
import { admin, BOOTSTRAP, closeAdmin, createTopic, field, kafkaSourceContext, pollRows, readTopic, rowsOf, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

/** A stream that collects what is written; a TTY or not. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), { isTTY });
  return { stream, text: () => chunks.join('') };
}

/** 'yyyy-MM-dd HH:mm:ss.SSS' (UTC) parsed here without the engine's parser. */
const parseUtc = (s: string) => {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})$/.exec(s)!;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]);
};

describe('sluice datagen', { timeout: 90_000 }, () => {
  it('clicks: every page gets exactly 1000 clicks in every 15 s window', async () => {
    const topic = await createTopic(uniqueTopic('clicks'), 2);
    const windows = 4;
    const piped = capture(false);
    const summary = await runDatagenCommand('clicks', { topic, rate: 0, count: windows * 6000, bootstrapServers: BOOTSTRAP, progress: piped.stream });
    // Piped: no progress line, one readable summary at the end.
    expect(piped.text()).toMatch(new RegExp(`^clicks → ${topic}: ${windows * 6000} records in \\d+\\.\\d s \\(\\d+/s\\)\n$`));
    expect(summary.records).toBe(windows * 6000);
    const got = await readTopic(topic, { count: windows * 6000 });
    expect(got).toHaveLength(windows * 6000);
    const counts = new Map<string, number>();
    for (const r of got) {
      const e = JSON.parse(r.value!) as { timestamp: string; page: string };
      const key = `${Math.floor(parseUtc(e.timestamp) / 15_000)}|${e.page}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(windows * CLICK_PAGES.length);
    expect(new Set(counts.values())).toEqual(new Set([1000]));
  });

  it('clicks: a json table with a TIMESTAMP(3) column reads the timestamps', async () => {
    const topic = await createTopic(uniqueTopic('clicks-table'));
    await runDatagenCommand('clicks', { topic, rate: 0, count: 12, bootstrapServers: BOOTSTRAP, progress: capture(false).stream });
    const declared = [field('timestamp', DataTypes.TIMESTAMP(3)), field('page', DataTypes.STRING())];
    const reader = createKafkaSource(kafkaSourceContext(topic, declared, { format: 'json', 'scan.startup.mode': 'earliest-offset' }), false);
    await reader.open(null);
    try {
      const rows = rowsOf(await pollRows(reader, 12));
      expect(rows.map((r) => r.page)).toEqual([...CLICK_PAGES, ...CLICK_PAGES]);
      const ts = rows.map((r) => r.timestamp as number);
      expect(ts[0] % 15_000).toBe(0);
      expect(ts.slice(0, 6)).toEqual(Array(6).fill(ts[0]));
      expect(ts.slice(6)).toEqual(Array(6).fill(ts[0] + 15));
    } finally {
      await reader.close();
    }
  });

  it('transactions: the walkthrough csv at about the requested rate, with a progress line on a terminal', async () => {
    const topic = await createTopic(uniqueTopic('transactions'));
    const tty = capture(true);
    const before = Date.now();
    const summary = await runDatagenCommand('transactions', { topic, rate: 200, count: 150, bootstrapServers: BOOTSTRAP, progress: tty.stream });
    // 200/s in throttle batches of 11 per 55 ms: 150 records take about 0.7 s (loose bounds for slow machines).
    expect(summary.elapsedMs).toBeGreaterThan(450);
    expect(summary.elapsedMs).toBeLessThan(3000);
    expect(tty.text()).toMatch(/transactions → .*: 150 records in \d+\.\d s \(\d+\/s\)\n$/);
    const after = Date.now();
    const got = await readTopic(topic, { count: 150 });
    // Record timestamps are the time of writing, not the event time of 2000 (which retention would delete at once).
    expect(got.every((r) => r.timestamp >= before - 1000 && r.timestamp <= after + 1000)).toBe(true);
    const parsed = got.map((r) => {
      const [account, amount, time] = r.value!.split(',');
      expect(time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(r.key!.readBigInt64BE()).toBe(BigInt(account));
      return { account: Number(account), amount: Number(amount), time: Date.parse(time.replace(' ', 'T') + 'Z') };
    });
    expect(parsed.map((t) => t.account)).toEqual(Array.from({ length: 150 }, (_, i) => (i % 5) + 1));
    expect(parsed[0].time).toBe(Date.UTC(2000, 0, 1, 1, 0));
    for (let i = 1; i < parsed.length; i++) {
      const step = parsed[i].time - parsed[i - 1].time;
      expect(step).toBeGreaterThanOrEqual(5 * 60_000 + 1000);
      expect(step).toBeLessThanOrEqual(5 * 60_000 + 58_000);
    }
    expect(parsed.every((t) => Number.isInteger(t.amount) && t.amount >= 0 && t.amount < 1000)).toBe(true);
  });

  it('payments: the pyflink walkthrough messages; piped, only the summary line', async () => {
    const topic = await createTopic(uniqueTopic('payments'));
    const out = capture(false);
    const before = Date.now();
    await runDatagenCommand('payments', { topic, rate: 0, count: 50, bootstrapServers: BOOTSTRAP, progress: out.stream, seed: 7 });
    const after = Date.now();
    expect(out.text()).toMatch(new RegExp(`^payments → ${topic}: 50 records in \\d+\\.\\d s \\(\\d+/s\\)\n$`));
    const records = await readTopic(topic, { count: 50 });
    expect(records.every((r) => r.timestamp >= before - 1000 && r.timestamp <= after + 1000)).toBe(true);
    const payments = records.map((r) => JSON.parse(r.value!));
    expect(Object.keys(payments[0])).toEqual(['createTime', 'orderId', 'payAmount', 'payPlatform', 'provinceId']);
    for (let i = 1; i < payments.length; i++) expect(payments[i].orderId).toBe(payments[i - 1].orderId + 1);
    expect(payments.every((p) => p.provinceId >= 0 && p.provinceId <= 6 && [0, 1].includes(p.payPlatform) && p.payAmount >= 0 && p.payAmount < 100_000)).toBe(true);
    expect(payments[0].createTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('stops when its signal aborts, and rejects unknown kinds and bad numbers', async () => {
    const topic = await createTopic(uniqueTopic('stop'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const summary = await runDatagenCommand('payments', { topic, rate: 20, bootstrapServers: BOOTSTRAP, signal: controller.signal, progress: capture(false).stream });
    expect(summary.records).toBeGreaterThan(0);
    expect(summary.records).toBeLessThan(20);
    await expect(runDatagenCommand('orders', { topic })).rejects.toThrow(UserError);
    await expect(runDatagenCommand('clicks', { topic, rate: 'fast' })).rejects.toThrow("--rate must be a non-negative number, got 'fast'");
    await expect(runDatagenCommand('clicks', { topic, partitions: 0 })).rejects.toThrow('--partitions must be at least 1');
  });

  it('--partitions creates a topic that does not exist with that many partitions, and writes to all of them', async () => {
    const topic = uniqueTopic('partitions');
    await runDatagenCommand('clicks', { topic, rate: 0, count: 600, partitions: 6, bootstrapServers: BOOTSTRAP, progress: capture(false).stream });
    const offsets = await (await admin()).fetchTopicOffsets(topic);
    expect(offsets).toHaveLength(6);
    expect(offsets.every((p) => Number(p.high) > 0)).toBe(true);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(600);
  });
});

describe('ClickIterator', () => {
  it('cycles the pages and advances each page by 15 ms from a window boundary', () => {
    const it = new ClickIterator(Date.UTC(2024, 0, 1, 0, 0, 7));
    const first = Array.from({ length: 12 }, () => it.next());
    expect(first.map((e) => e.page)).toEqual([...CLICK_PAGES, ...CLICK_PAGES]);
    expect(first[0].timestamp).toBe(Date.UTC(2024, 0, 1, 0, 0, 0));
    expect(first[6].timestamp - first[0].timestamp).toBe(15);
  });
});
