// Issue 13.1: a Kafka position that is no longer in the log (retention or delete-records removed it) is never
// skipped silently. By default the source fails naming the partition, the lost offsets and their count; with
// 'scan.offset-out-of-range' = 'earliest' | 'latest' it goes on, counts the lost records in a metric and
// reports the loss as an incident (the job's exceptions history). Against the real broker: records are deleted
// with the admin API's delete-records, both before a restore and while the reader lags behind.
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSource } from '../../runtime/connectors/kafka/source.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { admin, closeAdmin, createTopic, field, kafkaSourceContext, produce, sleep, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const FIELDS = [field('n', DataTypes.BIGINT()), field('pad', DataTypes.STRING())];
const PAD = 'x'.repeat(80);

async function topicWith(records: number, name: string): Promise<string> {
  const topic = await createTopic(uniqueTopic(name));
  // In sends of 10: a fetch returns at least one whole record batch, and the lagging reader must fetch few at a time.
  for (let n = 0; n < records; n += 10) await produce(topic, range(n, Math.min(records, n + 10)).map((i) => ({ value: `${i},${PAD}` })));
  return topic;
}

/** The admin API's delete-records (kafkajs finds the partition's leader only once it has the topic's metadata). */
async function deleteBefore(topic: string, offset: number): Promise<void> {
  const a = await admin();
  await a.fetchTopicMetadata({ topics: [topic] });
  await a.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(offset) }] });
}

/** Polls until `count` rows arrived, the last record (n = 999) did, or the reader fails; returns the n column of every row, and the failure. */
async function readNs(reader: ReturnType<typeof createKafkaSource>, count: number, timeoutMs = 15_000): Promise<{ ns: number[]; error: Error | null }> {
  const ns: number[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (ns.length < count && ns.at(-1) !== 999 && Date.now() < deadline) for (const r of (await reader.poll())!.rows) ns.push(Number(r.n));
  } catch (e) {
    return { ns, error: e as Error };
  }
  return { ns, error: null };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('kafka source: offsets out of range', { timeout: 60_000 }, () => {
  it('fails by default when the restored position was deleted, naming the partition, range and count', async () => {
    const topic = await topicWith(100, 'oor-restore');
    await deleteBefore(topic, 60);
    const ctx = kafkaSourceContext(topic, FIELDS, { format: 'csv' });
    const reader = createKafkaSource(ctx, false);
    try {
      const opened = await reader.open({ offsets: { [topic]: { 0: 10 } } }).then(() => null, (e: Error) => e);
      const failure = opened ?? (await readNs(reader, 1)).error;
      expect(failure?.message).toMatch(new RegExp(`topic ${topic} partition 0: .*offsets 10\\.\\.59 \\(50 records\\)`));
      expect(failure?.message).toMatch(/scan\.offset-out-of-range/);
    } finally {
      await reader.close();
    }
  });

  it("'earliest' continues at the log start, counts the loss and reports it", async () => {
    const topic = await topicWith(100, 'oor-earliest');
    await deleteBefore(topic, 60);
    const ctx = kafkaSourceContext(topic, FIELDS, { format: 'csv', 'scan.offset-out-of-range': 'earliest' });
    const reader = createKafkaSource(ctx, false);
    await reader.open({ offsets: { [topic]: { 0: 10 } } });
    try {
      const { ns, error } = await readNs(reader, 40);
      expect(error).toBeNull();
      expect(ns).toEqual(range(60, 100));
      expect(ctx.metrics.recordsLost).toBe(50);
      expect(ctx.metrics.incidents.map((i) => i.message)).toEqual([expect.stringMatching(/partition 0: .*offsets 10\.\.59 \(50 records\).* continues at offset 60/)]);
    } finally {
      await reader.close();
    }
  });

  it("'latest' continues at the log end", async () => {
    const topic = await topicWith(100, 'oor-latest');
    await deleteBefore(topic, 60);
    const ctx = kafkaSourceContext(topic, FIELDS, { format: 'csv', 'scan.offset-out-of-range': 'latest' });
    const reader = createKafkaSource(ctx, false);
    await reader.open({ offsets: { [topic]: { 0: 10 } } });
    try {
      await produce(topic, range(100, 105).map((n) => ({ value: `${n},${PAD}` })));
      const { ns, error } = await readNs(reader, 5);
      expect(error).toBeNull();
      expect(ns).toEqual(range(100, 105));
      expect(ctx.metrics.recordsLost).toBe(90);
    } finally {
      await reader.close();
    }
  });

  for (const policy of ['fail', 'earliest'] as const) {
    it(`while running (the reader lags, records are deleted under it): ${policy}`, async () => {
      const topic = await topicWith(1000, `oor-running-${policy}`);
      // Small fetches: the reader's queue holds a few dozen records and kafkajs waits (then pauses) behind it.
      const ctx = kafkaSourceContext(topic, FIELDS, {
        format: 'csv', 'scan.startup.mode': 'earliest-offset', 'properties.max.partition.fetch.bytes': '1024', 'properties.fetch.max.bytes': '1024',
        ...(policy === 'earliest' ? { 'scan.offset-out-of-range': 'earliest' } : {}),
      });
      const reader = createKafkaSource(ctx, false);
      await reader.open(null);
      try {
        const first = await readNs(reader, 1);
        await sleep(2500);
        await deleteBefore(topic, 500);
        const rest = await readNs(reader, 1000);
        const ns = [...first.ns, ...rest.ns];
        // What the reader had fetched before the deletion is read (offsets 0..read-1); the rest below 500 is lost.
        const read = ns.findIndex((n, i) => n !== i) < 0 ? ns.length : ns.findIndex((n, i) => n !== i);
        expect(read).toBeGreaterThan(0);
        expect(read).toBeLessThan(500);
        if (policy === 'fail') {
          expect(ns).toEqual(range(0, read));
          expect(rest.error?.message).toMatch(new RegExp(`topic ${topic} partition 0: offsets ${read}\\.\\.499 \\(${500 - read} records\\)`));
        } else {
          expect(rest.error).toBeNull();
          expect(ns).toEqual([...range(0, read), ...range(500, 1000)]);
          expect(ctx.metrics.recordsLost).toBe(500 - read);
          expect(ctx.metrics.incidents.map((i) => i.message)).toEqual([expect.stringContaining(`offsets ${read}..499 (${500 - read} records)`)]);
        }
      } finally {
        await reader.close();
      }
    });
  }
});
