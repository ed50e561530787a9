// sluice's Kafka producer (runtime/connectors/kafka/producer.ts on batch-sender.ts and record-batch.ts) against
// the real broker, which checks every batch's CRC and sequence numbers: headers, explicit timestamps, multi-byte
// text, tombstones and gzip arrive as written and are read back by kafkajs's consumer; keys land where kafkajs's
// (and Java's) murmur2 partitioner puts them; sends larger than one request keep their order per partition.
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaClient, type OutRecord } from '../../runtime/connectors/kafka/client.js';
import { RecordProducer } from '../../runtime/connectors/kafka/producer.js';
import { readKafkaSettings } from '../../runtime/connectors/kafka/properties.js';
import { BOOTSTRAP, closeAdmin, createTopic, readTopic, silent, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

async function open(topic: string, properties: Record<string, string> = {}) {
  const options: Record<string, string> = { 'properties.bootstrap.servers': BOOTSTRAP };
  for (const [k, v] of Object.entries(properties)) options[`properties.${k}`] = v;
  const settings = readKafkaSettings(options, 'producer-test');
  return RecordProducer.open(new KafkaClient(settings.client, silent), {
    topic, settings: settings.producer, guarantee: 'at-least-once', partitioner: 'default', log: silent,
  });
}

describe('kafka producer', { timeout: 60_000 }, () => {
  for (const compression of ['none', 'gzip']) {
    it(`writes headers, timestamps, multi-byte text and tombstones (compression ${compression})`, async () => {
      const topic = await createTopic(uniqueTopic(`producer-${compression}`));
      const records: OutRecord[] = [
        { key: 'a', value: 'zürich – 東京', timestamp: '1700000000123', headers: [{ key: 'origin', value: 'test' }, { key: 'origin', value: Buffer.from([1, 2]) }] },
        { key: 'b', value: null, timestamp: 1700000000100 },
        { key: null, value: 'no key' },
      ];
      const before = Date.now();
      const producer = await open(topic, { 'compression.type': compression });
      await producer.add(records);
      await producer.flush();
      await producer.close();
      const got = await readTopic(topic, { count: 3 });
      expect(got.map((r) => [r.key?.toString() ?? null, r.value])).toEqual([['a', 'zürich – 東京'], ['b', null], [null, 'no key']]);
      expect(got.slice(0, 2).map((r) => r.timestamp)).toEqual([1700000000123, 1700000000100]);
      expect(got[2].timestamp).toBeGreaterThanOrEqual(before);
      expect(got[0].headers).toEqual({ origin: [Buffer.from('test'), Buffer.from([1, 2])] });
    });
  }

  it('puts keys on the partitions of the murmur2 partitioner and keeps each partition in order across requests', async () => {
    const topic = await createTopic(uniqueTopic('producer-keys'), 4);
    // 12 000 records of ~40 bytes: about twenty requests of max.request.size 50 000.
    const records: OutRecord[] = Array.from({ length: 12_000 }, (_, i) => ({ key: `k${i % 97}`, value: `${i},${'x'.repeat(30)}` }));
    const producer = await open(topic, { 'max.request.size': '50000' });
    for (let i = 0; i < records.length; i += 4096) await producer.add(records.slice(i, i + 4096));
    await producer.flush();
    await producer.close();
    const got = await readTopic(topic, { count: records.length, timeoutMs: 30_000 });
    expect(got).toHaveLength(records.length);
    const choose = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
    for (const r of got) expect(r.partition).toBe(choose({ topic, partitionMetadata, message: { key: r.key, value: r.value } }));
    const seqs = new Map<number, number[]>();
    for (const r of got) seqs.set(r.partition, [...(seqs.get(r.partition) ?? []), Number(r.value!.split(',')[0])]);
    for (const list of seqs.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    expect(seqs.size).toBe(4);
  });
});
