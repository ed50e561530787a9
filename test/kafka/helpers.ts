// Helpers for the Kafka connector tests, which run against the real broker of the local stack
// (`bash stack/up.sh kafka`). They FAIL, never skip, when Kafka is down. Topics are unique per run, so tests
// can run repeatedly against the same broker. Raw reads and writes use kafkajs directly, independent of the
// connector under test.
import { randomUUID } from 'node:crypto';
// Before kafkajs: its read_committed filter corrected, as in the runtime (aborted-filter.ts).
import '../../runtime/connectors/kafka/aborted-filter.js';
import { Kafka, logLevel, Partitioners, type Admin, type IHeaders } from 'kafkajs';
import pino from 'pino';
import type { SinkContext, SourceContext } from '../../runtime/core/connector.js';
import { DataTypes, type DataType, type Field } from '../../runtime/core/data-types.js';
import { sinkContext, sourceContext } from '../connectors/context.js';

export const BOOTSTRAP = process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092';
export const silent = pino({ level: 'silent' });

export const field = (name: string, type: DataType): Field => ({ name, type });
export const TX_FIELDS = [field('account_id', DataTypes.BIGINT()), field('amount', DataTypes.BIGINT()), field('transaction_time', DataTypes.TIMESTAMP(3))];

export const uniqueTopic = (name: string) => `sluice-test-${name}-${randomUUID().slice(0, 8)}`;
export const uniqueGroup = (name: string) => `sluice-test-${name}-${randomUUID().slice(0, 8)}`;

export const kafka = new Kafka({
  clientId: 'sluice-kafka-test', brokers: BOOTSTRAP.split(','), logLevel: logLevel.NOTHING,
  connectionTimeout: 3000, retry: { retries: 3, initialRetryTime: 200 },
});

let adminClient: Admin | null = null;

/** The shared admin client; connecting fails the test with a hint when the broker is down. */
export async function admin(): Promise<Admin> {
  if (adminClient) return adminClient;
  const a = kafka.admin();
  try {
    await a.connect();
  } catch (e) {
    throw new Error(`Kafka at ${BOOTSTRAP} is not reachable (${(e as Error).message}); start it with \`bash stack/up.sh kafka\``);
  }
  return (adminClient = a);
}

export async function closeAdmin(): Promise<void> {
  await adminClient?.disconnect();
  adminClient = null;
}

export async function createTopic(topic: string, partitions = 1): Promise<string> {
  await (await admin()).createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true, timeout: 30_000 });
  return topic;
}

export interface RawRecord {
  key?: string | Buffer | null;
  value: string | null;
  partition?: number;
  timestamp?: string;
  headers?: IHeaders;
}

/** Writes records as they are, in chunks, acknowledged by the broker. */
export async function produce(topic: string, records: RawRecord[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 2000) await producer.send({ topic, messages: records.slice(i, i + 2000), acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: string | null;
  /** The record timestamp, epoch millis. */
  timestamp: number;
  headers: Record<string, Buffer | Buffer[] | null>;
}

/**
 * Reads a topic from the beginning until `count` records arrived (then a short while more, to catch extras)
 * or, with count undefined, until nothing arrives for `quietMs`.
 */
export async function readTopic(topic: string, opts: { count?: number; readCommitted?: boolean; quietMs?: number; timeoutMs?: number } = {}): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueGroup('reader'), readUncommitted: opts.readCommitted === false, maxWaitTimeInMs: 100 });
  const got: ReadRecord[] = [];
  const quietMs = opts.quietMs ?? 1500;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        got.push({ partition, offset: Number(message.offset), key: message.key, value: message.value?.toString('utf8') ?? null, timestamp: Number(message.timestamp), headers: (message.headers ?? {}) as ReadRecord['headers'] });
      },
    });
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let last = -1;
    let lastChange = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      if (got.length !== last) { last = got.length; lastChange = Date.now(); }
      if (opts.count !== undefined && got.length >= opts.count && Date.now() - lastChange > 300) break;
      if (opts.count === undefined && Date.now() - lastChange > quietMs) break;
    }
  } finally {
    await consumer.disconnect();
  }
  return got;
}

export function kafkaSourceContext(topic: string, declared: Field[], options: Record<string, string>, fields: Field[] = declared, primaryKey: string[] = []): SourceContext {
  return { ...sourceContext(declared, { connector: 'kafka', topic, 'properties.bootstrap.servers': BOOTSTRAP, ...options }, fields), table: 'src', primaryKey };
}

export function kafkaSinkContext(topic: string, schema: Field[], options: Record<string, string>, primaryKey: string[] = []): SinkContext {
  return { ...sinkContext(schema, { connector: 'kafka', topic, 'properties.bootstrap.servers': BOOTSTRAP, ...options }), primaryKey, changelog: primaryKey.length ? 'upsert' : 'insert-only' };
}

/** Polls until `count` rows arrived (or fails after timeoutMs), keeping each batch. */
export async function pollRows<B extends { split: string; rows: Record<string, unknown>[] }>(reader: { poll(): Promise<B | null> }, count: number, timeoutMs = 20_000): Promise<B[]> {
  const batches: B[] = [];
  let rows = 0;
  const deadline = Date.now() + timeoutMs;
  while (rows < count) {
    if (Date.now() > deadline) throw new Error(`only ${rows}/${count} rows after ${timeoutMs} ms`);
    const b = await reader.poll();
    if (b === null) throw new Error(`the source ended after ${rows}/${count} rows`);
    if (b.rows.length > 0) batches.push(b);
    rows += b.rows.length;
  }
  return batches;
}

export const rowsOf = (batches: { rows: Record<string, unknown>[] }[]) => batches.flatMap((b) => b.rows);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
