// The producer's RecordBatch encoder (runtime/connectors/kafka/record-batch.ts) checked against independent
// implementations: CRC-32C against the standard check value and kafkajs's byte-at-a-time CRC, and whole
// Produce bodies decoded by kafkajs's own RecordBatch decoder (what its consumer uses), for keys, values,
// tombstones, headers, multi-byte text, timestamps out of order, gzip and the producer's id and sequence.
// The real broker, which rejects a batch whose checksum is wrong, is in test/kafka/producer.test.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// kafkajs internals, as an independent decoder and checksum (CommonJS).
import crc32cKafkajs from 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
import Decoder from 'kafkajs/src/protocol/decoder.js';
import decodeBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder.js';
import { crc32c, encodeProduceBody, recordSize, type OutRecord } from '../../runtime/connectors/kafka/record-batch.js';

interface Decoded {
  firstSequence: number;
  producerId: string;
  producerEpoch: number;
  inTransaction: boolean;
  firstTimestamp: string;
  maxTimestamp: string;
  records: { key: Buffer | null; value: Buffer | null; timestamp: string; offset: string; headers: Record<string, Buffer | Buffer[]> }[];
}

/** Reads a Produce body (v3) back: transactional id, acks, timeout, then per partition its batch. */
async function decodeBody(buf: Buffer) {
  const d = new Decoder(buf);
  const transactionalId = d.readString();
  const acks = d.readInt16();
  const timeout = d.readInt32();
  const topics: { topic: string; partitions: { partition: number; batch: Decoded; crc: number; crcOk: boolean }[] }[] = [];
  for (let t = d.readInt32(); t > 0; t--) {
    const topic = d.readString()!;
    const partitions = [];
    for (let p = d.readInt32(); p > 0; p--) {
      const partition = d.readInt32();
      const size = d.readInt32();
      const bytes = buf.subarray(d.offset, d.offset + size);
      // It reads the batch's base offset and length, then steps over the batch.
      const batch = (await decodeBatch(d)) as Decoded;
      // The CRC covers the batch from its attributes (byte 21) to its end.
      const crc = bytes.readUInt32BE(17);
      partitions.push({ partition, batch, crc, crcOk: crc === crc32cKafkajs(bytes.subarray(21)) });
    }
    topics.push({ topic, partitions });
  }
  return { transactionalId, acks, timeout, topics };
}

describe('kafka record batches', () => {
  it('computes CRC-32C as the standard check value and kafkajs do', () => {
    expect(crc32c(Buffer.from('123456789'), 0, 9)).toBe(0xe3069283);
    for (const n of [0, 1, 7, 8, 9, 63, 1000]) {
      const b = randomBytes(n + 5);
      expect(crc32c(b, 3, 3 + n)).toBe(crc32cKafkajs(b.subarray(3, 3 + n)));
    }
  });

  it('encodes keys, values, tombstones, headers and timestamps that kafkajs decodes back, with a valid checksum', async () => {
    const records: OutRecord[] = [
      { key: 'k1', value: 'plain', timestamp: '1700000000500' },
      { key: null, value: 'zürich – 東京', timestamp: 1700000000400 },
      { key: Buffer.from([0, 1, 2]), value: null, timestamp: '1700000009000' },
      { key: 'h', value: Buffer.from('bytes'), headers: [{ key: 'source', value: 'topic-a' }, { key: 'empty', value: null }, { key: 'source', value: Buffer.from('again') }] },
      { key: '', value: '' },
    ];
    const body = await encodeProduceBody({
      transactionalId: 'tx-1', acks: -1, timeoutMs: 30_000, topic: 'tópico', gzip: false,
      partitions: [{ partition: 2, records: records.slice(0, 3), firstSequence: 7 }, { partition: 0, records: records.slice(3), firstSequence: 0 }],
      producerId: 4242n, producerEpoch: 3,
    }, 1700000001000);
    const got = await decodeBody(body);
    expect(got).toMatchObject({ transactionalId: 'tx-1', acks: -1, timeout: 30_000 });
    expect(got.topics.map((t) => t.topic)).toEqual(['tópico']);
    const [p2, p0] = got.topics[0].partitions;
    expect([p2.partition, p0.partition]).toEqual([2, 0]);
    expect(p2.crcOk && p0.crcOk).toBe(true);
    expect(p2.batch).toMatchObject({ firstSequence: 7, producerId: '4242', producerEpoch: 3, inTransaction: true, firstTimestamp: '1700000000500', maxTimestamp: '1700000009000' });
    expect(p2.batch.records.map((r) => [r.key, r.value?.toString('utf8') ?? null, r.timestamp, r.offset])).toEqual([
      [Buffer.from('k1'), 'plain', '1700000000500', '0'],
      [null, 'zürich – 東京', '1700000000400', '1'],
      [Buffer.from([0, 1, 2]), null, '1700000009000', '2'],
    ]);
    // Without a timestamp a record gets the send time.
    expect(p0.batch.records.map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp])).toEqual([['h', 'bytes', '1700000001000'], ['', '', '1700000001000']]);
    expect(p0.batch.records[0].headers).toEqual({ source: [Buffer.from('topic-a'), Buffer.from('again')], empty: null });
    // The size the producer counts against its limits is an upper bound of the encoding.
    const bound = records.reduce((n, r) => n + recordSize(r), 0);
    expect(body.length).toBeLessThan(bound + 2 * 69 + 100);
  });

  it('compresses with gzip and writes producer id -1 without idempotence', async () => {
    const records: OutRecord[] = Array.from({ length: 500 }, (_, i) => ({ key: `key-${i % 7}`, value: `value ${i} `.repeat(5) }));
    const body = await encodeProduceBody({ transactionalId: null, acks: 1, timeoutMs: 5000, topic: 't', gzip: true, partitions: [{ partition: 0, records, firstSequence: -1 }], producerId: -1n, producerEpoch: -1 });
    const plain = await encodeProduceBody({ transactionalId: null, acks: 1, timeoutMs: 5000, topic: 't', gzip: false, partitions: [{ partition: 0, records, firstSequence: -1 }], producerId: -1n, producerEpoch: -1 });
    expect(body.length).toBeLessThan(plain.length / 4);
    const { transactionalId, topics } = await decodeBody(body);
    expect(transactionalId).toBeNull();
    const { batch, crcOk } = topics[0].partitions[0];
    expect(crcOk).toBe(true);
    expect(batch).toMatchObject({ producerId: '-1', inTransaction: false });
    expect(batch.records.map((r) => [r.key!.toString(), r.value!.toString()])).toEqual(records.map((r) => [r.key, r.value]));
  });
});
