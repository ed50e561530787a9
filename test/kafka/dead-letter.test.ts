// Issue 13.5: with 'scan.dead-letter-queue.topic' a record the format cannot decode goes, as it was read (raw
// key and value bytes), to the dead-letter topic with headers naming the table, source topic, partition,
// offset and the reason; the job goes on with the next record, also under ignore-parse-errors, which without a
// dead-letter topic drops it. Without either the source fails naming the record.
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSource, DEAD_LETTER_HEADERS as H } from '../../runtime/connectors/kafka/source.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { closeAdmin, createTopic, field, kafkaSourceContext, pollRows, produce, readTopic, rowsOf, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const FIELDS = [field('id', DataTypes.BIGINT()), field('name', DataTypes.STRING())];
const VALUES = ['1,a', '2,b', 'three,c', '4,d', '5', '6,f', '7,g'];
// 'three' is not a BIGINT; '5' has one column of two.
const BAD = new Set([2, 4]);

describe('kafka source: dead-letter queue', { timeout: 60_000 }, () => {
  // With csv.ignore-parse-errors too: the records it would drop are kept all the same.
  it.each<Record<string, string>>([{}, { 'csv.ignore-parse-errors': 'true' }])('keeps bad records in the dead-letter topic with their origin and reason, and reads the rest (%o)', async (extra) => {
    const topic = await createTopic(uniqueTopic('dlq-src'));
    const dlq = uniqueTopic('dlq');
    await produce(topic, VALUES.map((value, i) => ({ key: `k${i}`, value })));
    const ctx = kafkaSourceContext(topic, FIELDS, { format: 'csv', 'scan.startup.mode': 'earliest-offset', 'scan.dead-letter-queue.topic': dlq, ...extra });
    const reader = createKafkaSource(ctx, false);
    await reader.open(null);
    try {
      const rows = rowsOf(await pollRows(reader, VALUES.length - BAD.size));
      expect(rows.map((r) => Number(r.id))).toEqual(VALUES.flatMap((_, i) => (BAD.has(i) ? [] : [i + 1])));
      expect(ctx.metrics.badRecordsSkipped).toBe(BAD.size);
    } finally {
      await reader.close();
    }
    const letters = await readTopic(dlq, { count: BAD.size });
    expect(letters.map((l) => [l.key?.toString(), l.value])).toEqual([...BAD].map((i) => [`k${i}`, VALUES[i]]));
    for (const [n, l] of letters.entries()) {
      const offset = [...BAD][n];
      const headers = Object.fromEntries(Object.entries(l.headers).map(([k, v]) => [k, String(v)]));
      expect(headers).toMatchObject({ [H.table]: 'src', [H.topic]: topic, [H.partition]: '0', [H.offset]: String(offset) });
      expect(headers[H.reason]).toMatch(offset === 2 ? /three/ : /column/);
    }
  });

  it('without it, fails naming the topic, partition and offset', async () => {
    const topic = await createTopic(uniqueTopic('dlq-none'));
    await produce(topic, VALUES.map((value) => ({ value })));
    const reader = createKafkaSource(kafkaSourceContext(topic, FIELDS, { format: 'csv', 'scan.startup.mode': 'earliest-offset' }), false);
    await reader.open(null);
    try {
      await expect(pollRows(reader, VALUES.length)).rejects.toThrow(new RegExp(`bad record at topic ${topic} partition 0 offset 2: `));
    } finally {
      await reader.close();
    }
  });
});
