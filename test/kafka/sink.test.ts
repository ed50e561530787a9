// The kafka sink against the real broker: values and keys in both formats, at-least-once acknowledgements on
// flush, write() backpressure, and exactly-once transactions (invisible to read_committed readers until
// flush, never visible when the writer closes or crashes without flushing).
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '../../runtime/connectors/kafka/sink.js';
import { createKafkaSource } from '../../runtime/connectors/kafka/source.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { closeAdmin, createTopic, field, kafkaSinkContext, kafkaSourceContext, pollRows, readTopic, rowsOf, sleep, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const SCHEMA = [field('id', DataTypes.BIGINT()), field('name', DataTypes.STRING()), field('ts', DataTypes.TIMESTAMP(3))];
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0, 5);
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `n${from + i}`, ts: T0 + (from + i) * 1000 }));

async function openSink(topic: string, options: Record<string, string>) {
  const writer = createKafkaSink(kafkaSinkContext(topic, SCHEMA, options), false);
  await writer.open(null);
  return writer;
}

describe('kafka sink: at-least-once', { timeout: 60_000 }, () => {
  it('writes json values with json keys from key.fields, acknowledged on flush', async () => {
    const topic = await createTopic(uniqueTopic('sink-json'), 3);
    const writer = await openSink(topic, { format: 'json', 'key.format': 'json', 'key.fields': 'id' });
    try {
      await writer.write({ rows: rows(0, 30), kinds: null });
      await writer.flush();
    } finally {
      await writer.close();
    }
    const got = await readTopic(topic, { count: 30 });
    expect(got).toHaveLength(30);
    const byId = new Map(got.map((r) => [JSON.parse(r.value!).id as number, r]));
    expect(JSON.parse(byId.get(7)!.value!)).toEqual({ id: 7, name: 'n7', ts: '2024-05-01 10:00:07.005' });
    expect(byId.get(7)!.key!.toString()).toBe('{"id":7}');
    // The same key always lands on the same partition, and the keys spread over the partitions.
    expect(new Set(got.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('writes csv with a csv key and EXCEPT_KEY values, and reads them back through the source', async () => {
    const topic = await createTopic(uniqueTopic('sink-csv'));
    const options = { 'value.format': 'csv', 'key.format': 'csv', 'key.fields': 'id', 'value.fields-include': 'EXCEPT_KEY', 'scan.startup.mode': 'earliest-offset' };
    const writer = await openSink(topic, options);
    await writer.write({ rows: rows(1, 3), kinds: null });
    await writer.flush();
    await writer.close();
    const got = await readTopic(topic, { count: 3 });
    expect(got.map((r) => [r.key!.toString(), r.value])).toEqual([
      ['1', 'n1,2024-05-01 10:00:01.005'], ['2', 'n2,2024-05-01 10:00:02.005'], ['3', 'n3,2024-05-01 10:00:03.005'],
    ]);
    const reader = createKafkaSource(kafkaSourceContext(topic, SCHEMA, options), false);
    await reader.open(null);
    try {
      expect(rowsOf(await pollRows(reader, 3))).toEqual(rows(1, 3));
    } finally {
      await reader.close();
    }
  });

  it('holds write() back while more than buffer.memory is unacknowledged', async () => {
    const topic = await createTopic(uniqueTopic('sink-backpressure'));
    const writer = await openSink(topic, { format: 'json', 'properties.buffer.memory': '20000' });
    try {
      const pending = writer.write({ rows: rows(0, 1000), kinds: null });
      expect(pending).toBeInstanceOf(Promise);
      await pending;
      // Below the bound again: a small write is taken without waiting.
      expect(writer.write({ rows: rows(1000, 1), kinds: null })).toBeUndefined();
      await writer.flush();
    } finally {
      await writer.close();
    }
    expect(await readTopic(topic, { count: 1001 })).toHaveLength(1001);
  });

  it("sink.partitioner 'fixed' writes every record to partition 0", async () => {
    const topic = await createTopic(uniqueTopic('sink-fixed'), 3);
    const writer = await openSink(topic, { format: 'json', 'key.format': 'json', 'key.fields': 'id', 'sink.partitioner': 'fixed' });
    await writer.write({ rows: rows(0, 20), kinds: null });
    await writer.flush();
    await writer.close();
    expect(new Set((await readTopic(topic, { count: 20 })).map((r) => r.partition))).toEqual(new Set([0]));
  });

  it('rejects updates: a kafka sink takes inserts only', async () => {
    const topic = await createTopic(uniqueTopic('sink-kinds'));
    const writer = await openSink(topic, { format: 'json' });
    try {
      expect(() => writer.write({ rows: rows(0, 2), kinds: [RowKind.INSERT, RowKind.UPDATE_AFTER] })).toThrow(/takes inserts only, got \+U/);
    } finally {
      await writer.close();
    }
  });
});

describe('kafka sink: exactly-once', { timeout: 60_000 }, () => {
  const eo = (prefix: string) => ({ format: 'json', 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': prefix });

  it('records are invisible to read_committed readers until flush commits them', async () => {
    const topic = await createTopic(uniqueTopic('eo-commit'));
    const writer = await openSink(topic, eo(topic));
    try {
      await writer.write({ rows: rows(0, 10), kinds: null });
      await sleep(300); // past linger.ms: the records are on the broker, in the open transaction
      expect(await readTopic(topic, { readCommitted: false, count: 10 })).toHaveLength(10);
      expect(await readTopic(topic, { readCommitted: true, quietMs: 1000 })).toHaveLength(0);
      await writer.flush();
      expect(await readTopic(topic, { readCommitted: true, count: 10 })).toHaveLength(10);
      // The next write opens the next transaction.
      await writer.write({ rows: rows(10, 5), kinds: null });
      await writer.flush();
      expect((await readTopic(topic, { readCommitted: true, count: 15 })).map((r) => JSON.parse(r.value!).id)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    } finally {
      await writer.close();
    }
  });

  it('a transaction closed without flush, or left open by a crash, never becomes visible', async () => {
    const topic = await createTopic(uniqueTopic('eo-abort'));
    // Closed without flush: aborted.
    const closed = await openSink(topic, eo(topic));
    await closed.write({ rows: rows(0, 5), kinds: null });
    await sleep(200);
    await closed.close();
    // Crashed: written, never flushed nor closed. The next writer with the same id fences it and Kafka aborts its transaction.
    const crashed = await openSink(topic, eo(topic));
    await crashed.write({ rows: rows(100, 5), kinds: null });
    await sleep(200);
    const next = await openSink(topic, eo(topic));
    try {
      await next.write({ rows: rows(200, 3), kinds: null });
      await next.flush();
    } finally {
      await next.close();
      await crashed.close();
    }
    const visible = await readTopic(topic, { readCommitted: true, count: 3 });
    expect(visible.map((r) => JSON.parse(r.value!).id)).toEqual([200, 201, 202]);
    // All 13 were written; only the committed 3 are visible.
    expect(await readTopic(topic, { readCommitted: false, count: 13 })).toHaveLength(13);
  });
});
