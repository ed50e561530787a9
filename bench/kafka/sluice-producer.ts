// sluice's Kafka write path alone: the sink's RecordProducer (runtime/connectors/kafka/producer.ts, on
// batch-sender.ts and record-batch.ts) producing a file's lines into a topic with the sink's default settings
// (acks=all, linger.ms 5), as bench/kafka/kafkajs-client.ts and JavaClient.java do with their clients. One JSON
// line, as theirs:
//   node sluice-producer.mjs --brokers 127.0.0.1:9092 --topic T --count N --input FILE.csv
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KafkaClient, type OutRecord } from '../../runtime/connectors/kafka/client.js';
import { RecordProducer } from '../../runtime/connectors/kafka/producer.js';
import { readKafkaSettings } from '../../runtime/connectors/kafka/properties.js';
import { createLogger } from '../../runtime/core/log.js';

const argv = process.argv.slice(2);
const arg = (name: string) => { const i = argv.indexOf(`--${name}`); if (i < 0) throw new Error(`missing --${name}`); return argv[i + 1]; };
const topic = arg('topic');
const count = Number(arg('count'));
const log = createLogger('bench', 'warn');
const settings = readKafkaSettings({ 'properties.bootstrap.servers': arg('brokers') }, 'bench');
const lines = fs.readFileSync(arg('input'), 'latin1').split('\n', count);
const producer = await RecordProducer.open(new KafkaClient(settings.client, log), {
  topic, settings: settings.producer, guarantee: 'at-least-once', transactionalId: null, partitioner: 'default', log,
});
const CHUNK = 4096; // a source batch
const first = Date.now();
for (let i = 0; i < lines.length; i += CHUNK) {
  const batch: OutRecord[] = [];
  for (let j = i; j < Math.min(i + CHUNK, lines.length); j++) batch.push({ key: null, value: lines[j] });
  await producer.add(batch);
}
await producer.flush();
const last = Date.now();
await producer.close();
console.log(JSON.stringify({
  engine: 'sluice-produce', records: count, seconds: (last - first) / 1000, recordsPerSecond: Math.round((count - 1) / ((last - first) / 1000)),
  firstResultSeconds: (first - performance.timeOrigin) / 1000, firstEpochMs: first, lastEpochMs: last,
}));
process.exit(0);
