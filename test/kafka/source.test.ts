// The kafka source against the real broker: every startup mode, csv and json, projection pushdown,
// per-partition splits, bad records (failing with topic/partition/offset, or skipped and counted), exact
// restore from a snapshot, offset commits on checkpointComplete, and bounded buffering when nobody polls.
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSource, type KafkaPosition } from '../../runtime/connectors/kafka/source.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { BadRecordError, UserError } from '../../runtime/core/errors.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { admin, closeAdmin, createTopic, field, kafkaSourceContext, pollRows, produce, rowsOf, sleep, TX_FIELDS, uniqueGroup, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
/** Transaction csv lines with ids in the amount column, one second apart. */
const txLines = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ value: `${((from + i) % 5) + 1},${from + i},${formatTimestamp(T0 + (from + i) * 1000, 3)}` }));

const CSV = { format: 'csv', 'scan.startup.mode': 'earliest-offset' };

async function openReader(topic: string, options: Record<string, string>, restored: unknown = null, fields = TX_FIELDS) {
  const ctx = kafkaSourceContext(topic, TX_FIELDS, options, fields);
  const reader = createKafkaSource(ctx, false);
  await reader.open(restored);
  return { reader, ctx };
}

describe('kafka source: startup modes', { timeout: 60_000 }, () => {
  it('earliest-offset reads csv from the start, typed by the declared columns', async () => {
    const topic = await createTopic(uniqueTopic('earliest'));
    await produce(topic, txLines(0, 10));
    const { reader } = await openReader(topic, CSV);
    try {
      const rows = rowsOf(await pollRows(reader, 10));
      expect(rows).toHaveLength(10);
      expect(rows[0]).toEqual({ account_id: 1, amount: 0, transaction_time: T0 });
      expect(rows.map((r) => r.amount)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await reader.close();
    }
  });

  it('latest-offset reads only what arrives after the start', async () => {
    const topic = await createTopic(uniqueTopic('latest'));
    await produce(topic, txLines(0, 5));
    const { reader } = await openReader(topic, { ...CSV, 'scan.startup.mode': 'latest-offset' });
    try {
      await produce(topic, txLines(5, 3));
      const rows = rowsOf(await pollRows(reader, 3));
      expect(rows.map((r) => r.amount)).toEqual([5, 6, 7]);
      // The start position is exact even before a record was read.
      expect(reader.snapshot()).toEqual({ offsets: { [topic]: { 0: 8 } }, start: { [topic]: { 0: 5 } } });
    } finally {
      await reader.close();
    }
  });

  it('timestamp starts at the first record at or after scan.startup.timestamp-millis', async () => {
    const topic = await createTopic(uniqueTopic('timestamp'));
    await produce(topic, txLines(0, 10).map((r, i) => ({ ...r, timestamp: String(T0 + i * 1000) })));
    const { reader } = await openReader(topic, { ...CSV, 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': String(T0 + 6500) });
    try {
      expect(rowsOf(await pollRows(reader, 3)).map((r) => r.amount)).toEqual([7, 8, 9]);
    } finally {
      await reader.close();
    }
  });

  it('specific-offsets starts each listed partition at its offset', async () => {
    const topic = await createTopic(uniqueTopic('specific'), 2);
    await produce(topic, [...txLines(0, 6).map((r) => ({ ...r, partition: 0 })), ...txLines(10, 6).map((r) => ({ ...r, partition: 1 }))]);
    const { reader } = await openReader(topic, { ...CSV, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:4;partition:1,offset:1' });
    try {
      const amounts = rowsOf(await pollRows(reader, 7)).map((r) => r.amount as number).sort((a, b) => a - b);
      expect(amounts).toEqual([4, 5, 11, 12, 13, 14, 15]);
    } finally {
      await reader.close();
    }
  });

  it('group-offsets starts at the committed offsets, else at properties.auto.offset.reset', async () => {
    const topic = await createTopic(uniqueTopic('group'));
    await produce(topic, txLines(0, 10));
    const group = uniqueGroup('group');
    // Commit offset 7 as a completed checkpoint would (the admin client's setOffsets takes seconds).
    const committer = await openReader(topic, { ...CSV, 'properties.group.id': group });
    await committer.reader.checkpointComplete({ offsets: { [topic]: { 0: 7 } } });
    await committer.reader.close();
    const [offsets] = await (await admin()).fetchOffsets({ groupId: group, topics: [topic] });
    expect(offsets.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '7' })]);
    const committed = await openReader(topic, { ...CSV, 'scan.startup.mode': 'group-offsets', 'properties.group.id': group });
    try {
      expect(rowsOf(await pollRows(committed.reader, 3)).map((r) => r.amount)).toEqual([7, 8, 9]);
    } finally {
      await committed.reader.close();
    }
    // A group without offsets: the default reset is earliest; 'none' fails naming the partition (Flink's behaviour).
    const fresh = await openReader(topic, { ...CSV, 'scan.startup.mode': 'group-offsets', 'properties.group.id': uniqueGroup('fresh') });
    try {
      expect(rowsOf(await pollRows(fresh.reader, 10))[0].amount).toBe(0);
    } finally {
      await fresh.reader.close();
    }
    const strict = openReader(topic, { ...CSV, 'scan.startup.mode': 'group-offsets', 'properties.group.id': uniqueGroup('none'), 'properties.auto.offset.reset': 'none' });
    await expect(strict).rejects.toThrow(UserError);
    await expect(strict).rejects.toThrow(/partition 0: group .* has no committed offset/);
  });
});

describe('kafka source: a topic that does not exist yet', { timeout: 60_000 }, () => {
  it('reads its partitions from the start once it appears', async () => {
    const topic = uniqueTopic('later');
    const { reader } = await openReader(topic, { ...CSV, 'scan.startup.mode': 'latest-offset' });
    try {
      await produce(topic, txLines(0, 3));
      expect(rowsOf(await pollRows(reader, 3)).map((r) => r.amount)).toEqual([0, 1, 2]);
    } finally {
      await reader.close();
    }
  });
});

describe('kafka source: formats and projection', { timeout: 60_000 }, () => {
  it('reads json and decodes only the requested columns', async () => {
    const topic = await createTopic(uniqueTopic('json'));
    await produce(topic, [
      { value: '{"id": 1, "name": "a", "score": 1.5, "ts": "2024-01-01 00:00:01.250"}' },
      { value: '{"id": 2, "name": "b", "score": "not a number", "ts": "2024-01-01 00:00:02"}' },
    ]);
    const declared = [field('id', DataTypes.INT()), field('name', DataTypes.STRING()), field('score', DataTypes.DOUBLE()), field('ts', DataTypes.TIMESTAMP(3))];
    const requested = [declared[3], declared[0]];
    const reader = createKafkaSource(kafkaSourceContext(topic, declared, { format: 'json', 'scan.startup.mode': 'earliest-offset' }, requested), false);
    await reader.open(null);
    try {
      // 'score' is malformed in the second record, but it is not read: no bad record.
      const rows = rowsOf(await pollRows(reader, 2));
      expect(rows).toEqual([{ ts: Date.UTC(2024, 0, 1, 0, 0, 1, 250), id: 1 }, { ts: Date.UTC(2024, 0, 1, 0, 0, 2), id: 2 }]);
    } finally {
      await reader.close();
    }
  });

  it('reads csv columns by position, only the requested ones', async () => {
    const topic = await createTopic(uniqueTopic('csv-projection'));
    await produce(topic, [{ value: '1,oops,2024-01-01 00:00:00' }, { value: '2,20,2024-01-01 00:00:01' }]);
    const { reader, ctx } = await openReader(topic, CSV, null, [TX_FIELDS[0]]);
    try {
      expect(rowsOf(await pollRows(reader, 2))).toEqual([{ account_id: 1 }, { account_id: 2 }]);
      expect(ctx.metrics.badRecordsSkipped).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it('accepts value.format with value.-prefixed format options', async () => {
    const topic = await createTopic(uniqueTopic('value-format'));
    await produce(topic, [{ value: '1|5|2024-01-01 00:00:00' }]);
    const { reader } = await openReader(topic, { 'value.format': 'csv', 'value.csv.field-delimiter': '|', 'scan.startup.mode': 'earliest-offset' });
    try {
      expect(rowsOf(await pollRows(reader, 1))).toEqual([{ account_id: 1, amount: 5, transaction_time: Date.UTC(2024, 0, 1) }]);
    } finally {
      await reader.close();
    }
  });
});

describe('kafka source: partitions', { timeout: 60_000 }, () => {
  it('gives one batch per partition fetch, named topic-partition', async () => {
    const topic = await createTopic(uniqueTopic('splits'), 3);
    const records = [0, 1, 2].flatMap((p) => txLines(p * 100, 50).map((r) => ({ ...r, partition: p })));
    await produce(topic, records);
    const { reader } = await openReader(topic, CSV);
    try {
      expect([...reader.splits()].sort()).toEqual([0, 1, 2].map((p) => `${topic}-${p}`));
      const batches = await pollRows(reader, 150);
      for (const b of batches) {
        const p = Number(b.split.slice(topic.length + 1));
        // Every row of a batch comes from the batch's partition (amount // 100 is the partition written to).
        for (const r of b.rows) expect(Math.floor((r.amount as number) / 100)).toBe(p);
      }
      expect(new Set(batches.map((b) => b.split))).toEqual(new Set([0, 1, 2].map((p) => `${topic}-${p}`)));
      // Order is kept within a partition.
      for (const p of [0, 1, 2]) {
        const amounts = batches.filter((b) => b.split === `${topic}-${p}`).flatMap((b) => b.rows.map((r) => r.amount));
        expect(amounts).toEqual(Array.from({ length: 50 }, (_, i) => p * 100 + i));
      }
    } finally {
      await reader.close();
    }
  });
});

describe('kafka source: bad records', { timeout: 60_000 }, () => {
  const bad = [...txLines(0, 3), { value: 'not,a,transaction' }, ...txLines(3, 2)];

  it('fails with topic, partition and offset without ignore-parse-errors', async () => {
    const topic = await createTopic(uniqueTopic('bad-fail'));
    await produce(topic, bad);
    const { reader } = await openReader(topic, CSV);
    try {
      const error = await (async () => {
        for (;;) await reader.poll();
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRecordError);
      expect((error as BadRecordError).origin).toBe(`topic ${topic} partition 0 offset 3`);
      expect((error as Error).message).toContain(`bad record at topic ${topic} partition 0 offset 3: column 'account_id'`);
    } finally {
      await reader.close();
    }
  });

  it('skips and counts with csv.ignore-parse-errors', async () => {
    const topic = await createTopic(uniqueTopic('bad-skip'));
    await produce(topic, bad);
    const { reader, ctx } = await openReader(topic, { ...CSV, 'csv.ignore-parse-errors': 'true' });
    try {
      expect(rowsOf(await pollRows(reader, 5)).map((r) => r.amount)).toEqual([0, 1, 2, 3, 4]);
      expect(ctx.metrics.badRecordsSkipped).toBe(1);
    } finally {
      await reader.close();
    }
  });

  it('json: fails naming the offset, or skips with json.ignore-parse-errors', async () => {
    const topic = await createTopic(uniqueTopic('bad-json'));
    await produce(topic, [{ value: '{"id": 1}' }, { value: '{"id": ' }, { value: '{"id": 3}' }]);
    const declared = [field('id', DataTypes.INT())];
    const failing = createKafkaSource(kafkaSourceContext(topic, declared, { format: 'json', 'scan.startup.mode': 'earliest-offset' }), false);
    await failing.open(null);
    try {
      const error = await (async () => {
        for (;;) await failing.poll();
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRecordError);
      expect((error as BadRecordError).origin).toBe(`topic ${topic} partition 0 offset 1`);
    } finally {
      await failing.close();
    }
    const ctx = kafkaSourceContext(topic, declared, { format: 'json', 'json.ignore-parse-errors': 'true', 'scan.startup.mode': 'earliest-offset' });
    const skipping = createKafkaSource(ctx, false);
    await skipping.open(null);
    try {
      expect(rowsOf(await pollRows(skipping, 2))).toEqual([{ id: 1 }, { id: 3 }]);
      expect(ctx.metrics.badRecordsSkipped).toBe(1);
    } finally {
      await skipping.close();
    }
  });
});

describe('kafka source: positions', { timeout: 90_000 }, () => {
  it('continues exactly after a snapshot when reopened from it', async () => {
    const topic = await createTopic(uniqueTopic('restore'), 2);
    const total = 6000;
    await produce(topic, txLines(0, total).map((r, i) => ({ ...r, partition: i % 2 })));
    const first = await openReader(topic, CSV);
    const before = rowsOf(await pollRows(first.reader, 2500)).map((r) => r.amount as number);
    const position = first.reader.snapshot();
    await first.reader.close();
    // The restored position wins over scan.startup.mode (latest would skip everything).
    const second = await openReader(topic, { ...CSV, 'scan.startup.mode': 'latest-offset' }, JSON.parse(JSON.stringify(position)));
    try {
      const after = rowsOf(await pollRows(second.reader, total - before.length)).map((r) => r.amount as number);
      await sleep(300);
      const extra = await second.reader.poll();
      expect(extra!.rows).toEqual([]);
      const all = [...before, ...after].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(second.reader.snapshot()).toEqual({ offsets: { [topic]: { 0: total / 2, 1: total / 2 } }, start: { [topic]: { 0: 0, 1: 0 } } });
    } finally {
      await second.reader.close();
    }
  });

  it('commits the checkpointed offsets to the consumer group, and only then', async () => {
    const topic = await createTopic(uniqueTopic('commit'), 2);
    await produce(topic, txLines(0, 20).map((r, i) => ({ ...r, partition: i % 2 })));
    const group = uniqueGroup('commit');
    const { reader } = await openReader(topic, { ...CSV, 'properties.group.id': group });
    const committed = async () => {
      const [t] = await (await admin()).fetchOffsets({ groupId: group, topics: [topic] });
      return Object.fromEntries(t.partitions.map((p) => [p.partition, Number(p.offset)]));
    };
    try {
      await pollRows(reader, 20);
      // Reading commits nothing (no auto-commit).
      expect(await committed()).toEqual({ 0: -1, 1: -1 });
      const position = reader.snapshot() as KafkaPosition;
      expect(position.offsets).toEqual({ [topic]: { 0: 10, 1: 10 } });
      await reader.checkpointComplete(position);
      expect(await committed()).toEqual({ 0: 10, 1: 10 });
    } finally {
      await reader.close();
    }
  });
});

describe('kafka source: backpressure', { timeout: 120_000 }, () => {
  // 64 KB fetches: marks of 128 KB (high) and 64 KB (low), a few thousand records of these lines. (The test
  // producer writes record batches of 2000 records, ~70 KB: a fetch brings one batch, slightly more than 64 KB.)
  const SMALL_FETCHES = { ...CSV, 'properties.max.partition.fetch.bytes': '65536' };
  const FETCH = 65536;

  it('stops fetching when nobody polls: the buffer stays within its marks while the topic holds far more', async () => {
    const topic = await createTopic(uniqueTopic('backpressure'));
    const total = 200_000;
    await produce(topic, txLines(0, total));
    const { reader } = await openReader(topic, SMALL_FETCHES);
    try {
      const first = await pollRows(reader, 1);
      let read = rowsOf(first).length;
      // Nobody polls now: fetching must stop at the high-water mark, and the consumer be paused (it heartbeats).
      await sleep(2000);
      const a = reader.buffered();
      await sleep(1500);
      const b = reader.buffered();
      expect(a.paused).toBe(true);
      expect(b.records).toBe(a.records);
      expect([a.highWaterBytes, a.lowWaterBytes]).toEqual([2 * FETCH, FETCH]);
      // At most the high-water mark plus the fetch that crossed it (one record batch, see above).
      expect(a.bytes).toBeGreaterThanOrEqual(a.highWaterBytes);
      expect(a.bytes).toBeLessThan(a.highWaterBytes + 2 * FETCH);
      expect(a.records + read).toBeLessThan(total / 10);
      // Polling again resumes consumption, and every record arrives once.
      read += rowsOf(await pollRows(reader, total - read, 60_000)).length;
      expect(read).toBe(total);
      expect(reader.buffered()).toMatchObject({ records: 0, bytes: 0, paused: false });
    } finally {
      await reader.close();
    }
  });

  it('a job that polls slowly holds the fetching back without pausing the consumer, within the marks', async () => {
    const topic = await createTopic(uniqueTopic('slow-poll'));
    const total = 40_000;
    await produce(topic, txLines(0, total));
    const { reader } = await openReader(topic, SMALL_FETCHES);
    try {
      let read = rowsOf(await pollRows(reader, 1)).length;
      let most = 0;
      // One batch (at most 1024 rows) every 20 ms: far slower than the consumer, but never stalled for long.
      for (let i = 0; i < 60; i++) {
        await sleep(20);
        const b = reader.buffered();
        expect(b.paused).toBe(false);
        most = Math.max(most, b.bytes);
        read += (await reader.poll())!.rows.length;
      }
      // The queue filled up to the high-water mark and stayed within it (plus the batch that crossed it).
      expect(most).toBeGreaterThanOrEqual(2 * FETCH);
      expect(most).toBeLessThan(4 * FETCH);
      read += rowsOf(await pollRows(reader, total - read, 30_000)).length;
      expect(read).toBe(total);
    } finally {
      await reader.close();
    }
  });
});
