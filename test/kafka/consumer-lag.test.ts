// The Kafka source's consumer lag (Flink's pendingRecords metric): the records in its partitions' logs that
// it has not handed out yet, computed from each fetch's high-water mark and the reader's position. Checked
// at every poll against the count produced minus the count read, across two partitions and new records.
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSource } from '../../runtime/connectors/kafka/source.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { closeAdmin, createTopic, field, kafkaSourceContext, produce, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const FIELDS = [field('n', DataTypes.BIGINT())];

describe('kafka source: consumer lag', { timeout: 60_000 }, () => {
  it('pendingRecords = produced - read after every poll that fetched', async () => {
    const topic = await createTopic(uniqueTopic('lag'), 2);
    let produced = 0;
    const send = async (count: number) => {
      for (let i = 0; i < count; i += 50) {
        await produce(topic, Array.from({ length: 50 }, (_, k) => ({ value: String(produced + k), partition: (i / 50) % 2 })));
        produced += 50;
      }
    };
    await send(600);
    const ctx = kafkaSourceContext(topic, FIELDS, { format: 'csv', 'scan.startup.mode': 'earliest-offset' });
    const reader = createKafkaSource(ctx, false);
    await reader.open(null);
    try {
      let read = 0;
      const checks: [number, number][] = [];
      const readAll = async () => {
        const deadline = Date.now() + 20_000;
        while (read < produced && Date.now() < deadline) {
          const batch = await reader.poll();
          read += batch!.rows.length;
          if (batch!.rows.length > 0) checks.push([ctx.metrics.pendingRecords ?? -1, produced - read]);
        }
      };
      await readAll();
      expect(read).toBe(600);
      await send(200);
      await readAll();
      expect(read).toBe(800);
      expect(checks.length).toBeGreaterThan(1);
      // The lag is known from fetch answers: a partition's records count from its first fetch on, so every
      // figure is at most the true lag, records fetched but not handed out show as lag, and all read is 0.
      expect(checks.at(-1)).toEqual([0, 0]);
      for (const [reported, truth] of checks) expect(reported).toBeLessThanOrEqual(truth);
      expect(checks.some(([reported]) => reported > 0)).toBe(true);
    } finally {
      await reader.close();
    }
  });
});
