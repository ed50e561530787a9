// upsert-kafka against the real broker: a changelog becomes records keyed by the primary key (-U skipped,
// -D a tombstone), reading them back gives upserts and deletes, and the buffered sink keeps each key's last
// change only.
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '../../runtime/connectors/kafka/sink.js';
import { createKafkaSource } from '../../runtime/connectors/kafka/source.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { RowKind, type Batch } from '../../runtime/core/row.js';
import { closeAdmin, createTopic, field, kafkaSinkContext, kafkaSourceContext, pollRows, readTopic, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const SCHEMA = [field('province', DataTypes.STRING()), field('region', DataTypes.INT()), field('pay_amount', DataTypes.DOUBLE())];
const KEY = ['province', 'region'];
const UPSERT = { connector: 'upsert-kafka', 'key.format': 'json', 'value.format': 'json' };

const changelog: Batch = {
  rows: [
    { province: 'Beijing', region: 1, pay_amount: 10 },
    { province: 'Shanghai', region: 2, pay_amount: 5 },
    { province: 'Beijing', region: 1, pay_amount: 10 },
    { province: 'Beijing', region: 1, pay_amount: 25.5 },
    { province: 'Shanghai', region: 2, pay_amount: 5 },
  ],
  kinds: [RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE],
};

describe('upsert-kafka', { timeout: 60_000 }, () => {
  it('writes a changelog as keyed records and tombstones, and reads it back as upserts and deletes', async () => {
    const topic = await createTopic(uniqueTopic('upsert'));
    const writer = createKafkaSink(kafkaSinkContext(topic, SCHEMA, UPSERT, KEY), true);
    await writer.open(null);
    try {
      await writer.write(changelog);
      await writer.flush();
    } finally {
      await writer.close();
    }
    const got = await readTopic(topic, { count: 4 });
    expect(got.map((r) => [r.key!.toString(), r.value])).toEqual([
      ['{"province":"Beijing","region":1}', '{"province":"Beijing","region":1,"pay_amount":10}'],
      ['{"province":"Shanghai","region":2}', '{"province":"Shanghai","region":2,"pay_amount":5}'],
      ['{"province":"Beijing","region":1}', '{"province":"Beijing","region":1,"pay_amount":25.5}'],
      ['{"province":"Shanghai","region":2}', null],
    ]);

    const reader = createKafkaSource(kafkaSourceContext(topic, SCHEMA, UPSERT, SCHEMA, KEY), true);
    await reader.open(null);
    try {
      const batches = await pollRows(reader, 4);
      expect(batches.flatMap((b) => b.rows)).toEqual([
        { province: 'Beijing', region: 1, pay_amount: 10 },
        { province: 'Shanghai', region: 2, pay_amount: 5 },
        { province: 'Beijing', region: 1, pay_amount: 25.5 },
        { province: 'Shanghai', region: 2, pay_amount: null },
      ]);
      expect(batches.flatMap((b) => b.kinds!)).toEqual([RowKind.UPDATE_AFTER, RowKind.UPDATE_AFTER, RowKind.UPDATE_AFTER, RowKind.DELETE]);
    } finally {
      await reader.close();
    }
  });

  it('with sink.buffer-flush.* sends only the last change of each key', async () => {
    const topic = await createTopic(uniqueTopic('upsert-buffer'));
    const options = { ...UPSERT, 'sink.buffer-flush.max-rows': '100', 'sink.buffer-flush.interval': '1 s' };
    const writer = createKafkaSink(kafkaSinkContext(topic, SCHEMA, options, KEY), true);
    await writer.open(null);
    try {
      await writer.write(changelog);
      await writer.write({ rows: [{ province: 'Hangzhou', region: 3, pay_amount: 1 }], kinds: null });
      await writer.flush();
    } finally {
      await writer.close();
    }
    const got = await readTopic(topic, { count: 3 });
    expect(got.map((r) => [JSON.parse(r.key!.toString()).province, r.value === null ? null : JSON.parse(r.value).pay_amount])).toEqual([
      ['Beijing', 25.5], ['Shanghai', null], ['Hangzhou', 1],
    ]);
  });
});
