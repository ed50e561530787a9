// Watermarks and time: per-split alignment with idleness, processing-time windows, and backpressure.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { TableEnvironment, $, lit, DataTypes, Tumble } from 'sluice';
import { WatermarkTracker } from '../../runtime/time/watermark-tracker.js';
import { registerConnector } from '../../runtime/connectors/registry.js';
import type { Connector } from '../../runtime/core/connector.js';
import { runPlan } from '../../compiler/run-standalone.js';
import { optimize } from '../../compiler/passes/index.js';
import { collectBothWays, registerCsv, sortRows, tempDir, writeCsv } from '../helpers/tables.js';

describe('WatermarkTracker', () => {
  it('takes the minimum over splits, never goes back, and leaves idle splits out', () => {
    let now = 0;
    const t = new WatermarkTracker(1000, 5000, () => now);
    t.register('a');
    t.register('b');
    t.observe('a', 10_000);
    expect(t.watermark()).toBe(-Infinity); // b has no data yet and is not idle
    t.observe('b', 4000);
    expect(t.watermark()).toBe(3000);
    t.observe('b', 2000); // out of order: max stays
    expect(t.watermark()).toBe(3000);
    now = 6000; // both silent past the timeout: all idle, the watermark holds
    expect(t.watermark()).toBe(3000);
    t.observe('a', 12_000); // a active again, b idle: b no longer holds the watermark back
    expect(t.watermark()).toBe(11_000);
  });

  it('without an idle timeout a silent split holds the watermark', () => {
    let now = 0;
    const t = new WatermarkTracker(0, 0, () => now);
    t.register('a'); t.register('b');
    t.observe('a', 100);
    now = 1e9;
    expect(t.watermark()).toBe(-Infinity);
  });
});

describe('per-split alignment', () => {
  it('a split far ahead does not make another split\'s records late', async () => {
    const T0 = Date.UTC(2026, 0, 1);
    const dir = tempDir();
    // File a is an hour ahead of file b; read one after the other, b's records would all be late if the
    // watermark followed a alone.
    writeCsv(Array.from({ length: 3000 }, (_, i) => ['x', new Date(T0 + 3_600_000 + i * 100)]), path.join(dir, 'a.csv'));
    writeCsv(Array.from({ length: 3000 }, (_, i) => ['x', new Date(T0 + i * 100)]), path.join(dir, 'b.csv'));
    const tEnv = TableEnvironment.create();
    registerCsv(tEnv, { name: 'clicks', columns: [['page', DataTypes.STRING()], ['ts', DataTypes.TIMESTAMP(3)]], file: dir, watermark: { column: 'ts', delayMs: 1000 } });
    const got = await collectBothWays(() => tEnv.from('clicks').window(Tumble.over(lit(1).minutes()).on($('ts')).as('w'))
      .groupBy($('w')).select($('w').start().as('ws'), lit(1).count().as('n')));
    const expected = new Map<number, number>();
    for (let i = 0; i < 3000; i++) for (const ts of [T0 + 3_600_000 + i * 100, T0 + i * 100]) {
      const ws = ts - (ts % 60_000);
      expected.set(ws, (expected.get(ws) ?? 0) + 1);
    }
    expect(sortRows(got)).toEqual(sortRows([...expected].map(([ws, n]) => ({ ws, n }))));
  });
});

describe('processing time', () => {
  it('tumbling processing-time windows close on the clock and together hold every row', async () => {
    const tEnv = TableEnvironment.create();
    tEnv.registerTable({
      name: 'gen', columns: [{ kind: 'physical', name: 'k', type: DataTypes.INT() }, { kind: 'proctime', name: 'proc' }],
      watermark: null, primaryKey: [], options: { connector: 'datagen', 'rows-per-second': '400', 'number-of-rows': '600', 'fields.k.min': '1', 'fields.k.max': '2', seed: '3' },
    });
    const started = Date.now();
    const rows = await tEnv.from('gen').window(Tumble.over(lit(500).millis()).on($('proc')).as('w'))
      .groupBy($('w'), $('k')).select($('k'), $('w').start().as('ws'), $('w').end().as('we'), $('k').count().as('n')).execute().collect();
    const ended = Date.now();
    expect(rows.reduce((s, r) => s + (r.n as number), 0)).toBe(600);
    for (const r of rows) {
      expect((r.ws as number) % 500).toBe(0);
      expect(r.we).toBe((r.ws as number) + 500);
      expect(r.ws as number).toBeGreaterThanOrEqual(started - (started % 500));
      expect(r.ws as number).toBeLessThanOrEqual(ended);
    }
    // 600 rows at 400/s take about 1.5 s: the rows are spread over several windows.
    expect(new Set(rows.map((r) => r.ws)).size).toBeGreaterThanOrEqual(2);
  });
});

describe('backpressure', () => {
  it('a slow sink holds the source back: records in flight stay bounded', async () => {
    let written = 0;
    let maxInFlight = 0;
    let sourceOut = () => 0;
    const slow: Connector = {
      name: 'slow-test-sink', options: { keys: {} }, roles: ['sink'], sinkAccepts: 'insert-only',
      load: async () => ({
        createSink: () => ({
          async open() {},
          write(batch) {
            return new Promise<void>((resolve) => setTimeout(() => {
              written += batch.rows.length;
              maxInFlight = Math.max(maxInFlight, sourceOut() - written);
              resolve();
            }, 20));
          },
          async flush() {},
          async close() {},
        }),
      }),
    };
    registerConnector(slow);
    const tEnv = TableEnvironment.create();
    tEnv.registerTable({ name: 'fast', columns: [{ kind: 'physical', name: 'x', type: DataTypes.BIGINT() }], watermark: null, primaryKey: [], options: { connector: 'datagen', 'rows-per-second': '100000000' } });
    tEnv.registerTable({ name: 'out', columns: [{ kind: 'physical', name: 'x', type: DataTypes.BIGINT() }], watermark: null, primaryKey: [], options: { connector: 'slow-test-sink' } });
    tEnv.from('fast').select($('x').plus(1).as('x')).executeInsert('out');
    const controller = new AbortController();
    const plan = optimize(tEnv.buildPlan('bp', []));
    setTimeout(() => controller.abort(), 1000);
    const heapBefore = process.memoryUsage().heapUsed;
    const runner = runPlan(plan, true, controller.signal, (r) => { sourceOut = () => r.metrics.operator(plan.nodes[0].id, '').recordsOut; });
    await runner;
    // Unthrottled datagen makes millions of rows a second; the sink takes ~50 batches a second. Without
    // backpressure the gap would be millions; with it, at most a couple of batches.
    expect(written).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThanOrEqual(4096);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
