// Checks that the local stack (bash stack/up.sh) really answers: Kafka (plain and
// transactional produce, consume), MariaDB (as the app user, over TCP) and
// Elasticsearch 7.10 (index, get, search with the 7.13 client).
// These tests FAIL when the stack is down: start it with `bash stack/up.sh`.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it, expect } from 'vitest';
import { Kafka, logLevel, Partitioners, type Consumer, type KafkaMessage } from 'kafkajs';
import mysql from 'mysql2/promise';
// The 7.x client's ESM entry (index.mjs) has no type declarations under NodeNext
// resolution; load the CommonJS entry, whose types (index.d.ts) resolve.
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
const { Client } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;

// Same defaults as stack/env.sh.
const env = process.env;
const KAFKA_BOOTSTRAP = env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092';
const MYSQL = {
  host: env.MYSQL_HOST ?? '127.0.0.1',
  port: Number(env.MYSQL_PORT ?? 3306),
  user: env.MYSQL_USER ?? 'sql-demo',
  password: env.MYSQL_PASSWORD ?? 'demo-sql',
  database: env.MYSQL_DATABASE ?? 'sql-demo',
};
const ES_URL = env.ES_URL ?? 'http://127.0.0.1:9200';

const HINT = ' (is the local stack running? `bash stack/up.sh`)';
const suffix = () => randomUUID().slice(0, 8);

function kafkaClient(): Kafka {
  return new Kafka({
    clientId: 'sluice-stack-test',
    brokers: KAFKA_BOOTSTRAP.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
}

/** Reads `topic` from the beginning until `count` messages arrived (or times out). */
async function consume(kafka: Kafka, topic: string, count: number, timeoutMs = 30000): Promise<KafkaMessage[]> {
  const consumer: Consumer = kafka.consumer({ groupId: `stack-test-${suffix()}`, readUncommitted: false });
  const got: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${got.length}/${count} messages from ${topic} after ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            got.push(message);
            if (got.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((e) => {
          clearTimeout(timer);
          reject(e);
        });
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return got;
}

describe('local stack: Kafka', () => {
  it('creates a multi-partition topic, produces and consumes', async () => {
    const kafka = kafkaClient();
    const admin = kafka.admin();
    const topic = `stack-test-plain-${suffix()}`;
    try {
      await admin.connect().catch((e) => {
        throw new Error(`Kafka at ${KAFKA_BOOTSTRAP} unreachable: ${e.message}${HINT}`);
      });
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0].partitions).toHaveLength(3);

      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k1', value: 'hello sluice' }] });
      await producer.disconnect();

      const msgs = await consume(kafka, topic, 1);
      expect(msgs[0].key?.toString()).toBe('k1');
      expect(msgs[0].value?.toString()).toBe('hello sluice');
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect().catch(() => {});
    }
  }, 60000);

  it('commits a transaction and hides an aborted one from read_committed consumers', async () => {
    const kafka = kafkaClient();
    const admin = kafka.admin();
    const topic = `stack-test-txn-${suffix()}`;
    try {
      await admin.connect().catch((e) => {
        throw new Error(`Kafka at ${KAFKA_BOOTSTRAP} unreachable: ${e.message}${HINT}`);
      });
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });

      const producer = kafka.producer({
        transactionalId: `stack-test-${suffix()}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      try {
        const aborted = await producer.transaction();
        await aborted.send({ topic, messages: [{ value: 'aborted' }] });
        await aborted.abort();

        const committed = await producer.transaction();
        await committed.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
        await committed.commit();
      } finally {
        await producer.disconnect();
      }

      const msgs = await consume(kafka, topic, 2);
      expect(msgs.map((m) => m.value?.toString())).toEqual(['committed-1', 'committed-2']);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect().catch(() => {});
    }
  }, 60000);
});

describe('local stack: MariaDB', () => {
  it(`creates a table, inserts and selects as ${MYSQL.user} over TCP`, async () => {
    const conn = await mysql.createConnection({ ...MYSQL, connectTimeout: 3000 }).catch((e) => {
      throw new Error(`MariaDB at ${MYSQL.host}:${MYSQL.port} unreachable: ${e.message}${HINT}`);
    });
    const table = `stack_test_${suffix()}`;
    try {
      await conn.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY, name VARCHAR(64), amount DECIMAL(10,2))`);
      await conn.query(`INSERT INTO \`${table}\` VALUES (?, ?, ?), (?, ?, ?)`, [1, 'alice', 12.5, 2, 'bob', 7]);
      const [rows] = await conn.query(`SELECT id, name, amount FROM \`${table}\` ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, name: 'alice', amount: '12.50' },
        { id: 2, name: 'bob', amount: '7.00' },
      ]);
      const [[who]] = (await conn.query('SELECT CURRENT_USER() AS u, DATABASE() AS db')) as any;
      expect(who).toEqual({ u: `${MYSQL.user}@%`, db: MYSQL.database });
    } finally {
      await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
      await conn.end();
    }
  }, 30000);
});

describe('local stack: Elasticsearch', () => {
  it('indexes, gets and searches a document with @elastic/elasticsearch 7.13', async () => {
    const client = new Client({ node: ES_URL, requestTimeout: 10000, maxRetries: 1 });
    const index = `stack-test-${suffix()}`;
    try {
      const info = await client.info().catch((e: Error) => {
        throw new Error(`Elasticsearch at ${ES_URL} unreachable: ${e.message}${HINT}`);
      });
      expect(info.body.version.number).toMatch(/^7\./);

      await client.index({ index, id: '1', body: { user: 'alice', amount: 12.5 }, refresh: true });
      const got = await client.get({ index, id: '1' });
      expect(got.body._source).toEqual({ user: 'alice', amount: 12.5 });

      const bulk = await client.bulk({
        refresh: true,
        body: [{ index: { _index: index, _id: '2' } }, { user: 'bob', amount: 7 }],
      });
      expect(bulk.body.errors).toBe(false);

      const found = await client.search({ index, body: { query: { match: { user: 'bob' } } } });
      expect(found.body.hits.hits.map((h: any) => h._id)).toEqual(['2']);
    } finally {
      await client.indices.delete({ index }).catch(() => {});
      await client.close();
    }
  }, 30000);
});
