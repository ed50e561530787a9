// The Node Kafka client alone, as the ceiling for sluice's Kafka connector (which is built on it): consumes a
// topic, or produces a file's lines into one, with the settings sluice uses by default, and prints one JSON line.
//   node kafkajs-client.mjs consume --brokers 127.0.0.1:9092 --topic T --count N
//   node kafkajs-client.mjs produce --brokers 127.0.0.1:9092 --topic T --count N --input FILE.csv
// Times run from the first record to the last (steady state, group join and connecting left out); the time to
// the first record is from process start. Consuming touches every value (sums its length), as a decoder would.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

const [mode, ...rest] = process.argv.slice(2);
const arg = (name: string) => { const i = rest.indexOf(`--${name}`); if (i < 0) throw new Error(`missing --${name}`); return rest[i + 1]; };
const brokers = arg('brokers').split(',');
const topic = arg('topic');
const count = Number(arg('count'));
const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers, logLevel: logLevel.NOTHING });
const report = (first: number, last: number, extra: Record<string, unknown>) => console.log(JSON.stringify({
  engine: `kafkajs-${mode}`, records: count, seconds: (last - first) / 1000, recordsPerSecond: Math.round((count - 1) / ((last - first) / 1000)),
  firstResultSeconds: (first - performance.timeOrigin) / 1000, firstEpochMs: first, lastEpochMs: last, ...extra,
}));

if (mode === 'consume') {
  // sluice's defaults (runtime/connectors/kafka/properties.ts): fetch.max.wait.ms 500, kafkajs's fetch sizes.
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let bytes = 0;
  let first = 0;
  await new Promise<void>((done) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (seen === 0) first = Date.now();
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        seen += batch.messages.length;
        if (seen >= count) done();
      },
    });
  });
  const last = Date.now();
  report(first, last, { valueBytes: bytes });
  await consumer.disconnect();
} else if (mode === 'produce') {
  // As sluice's sink sends (runtime/connectors/kafka/producer.ts, MAX_RECORDS_PER_SEND): 500 records a request,
  // one request in flight, acks=all, no compression.
  const lines = fs.readFileSync(arg('input'), 'latin1').split('\n', count);
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const first = Date.now();
  const BATCH = 500;
  for (let i = 0; i < lines.length; i += BATCH) {
    await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: lines.slice(i, i + BATCH).map((value) => ({ value })) });
  }
  report(first, Date.now(), {});
  await producer.disconnect();
} else {
  throw new Error('mode: consume | produce');
}
process.exit(0);
