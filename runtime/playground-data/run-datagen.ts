// The `sluice datagen` loop: records from a generator, written to Kafka through the kafka connector's
// RecordProducer (ordered, batched, bounded), paced by the playground's Throttler exactly as the datagen
// connector paces its rows: the records of one throttle batch go out at once, then the loop sleeps for what
// is left of the batch's time slot. A rate of 0 or less means no throttling (the Java Throttler's -1).
// Records carry no timestamp of their own: the producer stamps them with the current time, as the playgrounds'
// Java producers do, so broker retention counts from when they were written (event times are in the values).
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../core/log.js';
import { Throttler } from '../connectors/datagen/throttler.js';
import { KafkaClient, type OutRecord } from '../connectors/kafka/client.js';
import { RecordProducer } from '../connectors/kafka/producer.js';
import { readKafkaSettings } from '../connectors/kafka/properties.js';
import type { DatagenKind } from './kinds.js';

/** Records built and handed to the producer at once when the throttle batch is larger (or unthrottled). */
const CHUNK = 1000;

export interface DatagenRun {
  kind: DatagenKind;
  topic: string;
  /** Records per second; <= 0 for as fast as possible. */
  rate: number;
  /** Stops after this many records (Infinity: until the signal). */
  count: number;
  bootstrapServers: string;
  signal: AbortSignal;
  log: Logger;
  seed?: number;
  startMs?: number;
  /** Creates the topic with this many partitions when it does not exist (otherwise the broker's auto-creation). */
  partitions?: number;
  /** Called after every chunk with the records written so far. */
  onProgress?(records: number): void;
}

export interface DatagenSummary {
  records: number;
  elapsedMs: number;
}

export async function runDatagen(run: DatagenRun): Promise<DatagenSummary> {
  const settings = readKafkaSettings({ 'properties.bootstrap.servers': run.bootstrapServers, 'properties.client.id': `sluice-datagen-${run.kind.name}` }, 'datagen');
  const client = new KafkaClient(settings.client, run.log);
  if (run.partitions !== undefined) {
    const admin = await client.admin();
    try {
      if (!(await admin.topicExists(run.topic))) {
        // A loaded broker may be slow to elect the new partitions' leaders: the topic exists then, and the
        // producer waits for its leaders itself.
        await admin.createTopic(run.topic, run.partitions, {}).catch(async (e: unknown) => {
          if (!(await admin.topicExists(run.topic))) throw e;
          run.log.warn({ topic: run.topic, err: (e as Error).message }, 'the topic was created; its partitions have no leader yet');
        });
      } else run.log.info({ topic: run.topic }, 'the topic exists already: --partitions applies only to a topic it creates');
    } finally {
      await admin.close();
    }
  }
  const producer = await RecordProducer.open(client, {
    topic: run.topic, settings: settings.producer, guarantee: 'at-least-once', partitioner: 'default', log: run.log,
  });
  const next = run.kind.create({ seed: run.seed ?? randomInt(0, 2 ** 32), startMs: run.startMs ?? Date.now() });
  const throttler = run.rate > 0 ? new Throttler(run.rate) : null;
  const started = performance.now();
  let records = 0;
  try {
    while (records < run.count && !run.signal.aborted) {
      const n = Math.min(CHUNK, run.count - records, throttler?.rowsLeftInBatch() ?? CHUNK);
      const batch: OutRecord[] = new Array(n);
      for (let i = 0; i < n; i++) batch[i] = next();
      await producer.add(batch);
      records += n;
      run.onProgress?.(records);
      const sleepMs = throttler?.emitted(n) ?? 0;
      // An abort ends the sleep early (rejecting); the loop condition then stops.
      if (sleepMs > 0) await delay(sleepMs, undefined, { signal: run.signal }).catch(() => {});
    }
    await producer.flush();
  } finally {
    await producer.close();
  }
  return { records, elapsedMs: performance.now() - started };
}
