// The only importer of kafkajs's public API (batch-sender.ts uses its cluster and transaction manager for the
// producer's send path). It turns the settings read from `properties.*` into clients and exposes just
// the operations the source, the sink and `sluice datagen` use, as small interfaces with plain numbers for
// offsets, so the rest of the connector never sees kafkajs types or its string offsets. Every kafkajs failure
// leaves here as an ExternalError('kafka', ...): the system at fault is Kafka, not the job.
// First: corrects kafkajs's read_committed filter before kafkajs loads it (aborted-filter.ts).
import './aborted-filter.js';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, Partitioners, type Consumer, type KafkaConfig, type LogEntry, type PartitionAssigner } from 'kafkajs';
import { ExternalError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { BatchSender, type OpenTransaction, type PartitionChooser } from './batch-sender.js';
import type { ClientSettings, ConsumerSettings, ProducerSettings } from './properties.js';
import type { OutRecord } from './record-batch.js';

export type { OutRecord } from './record-batch.js';
export type { OpenTransaction } from './batch-sender.js';

/** A fetched record as kafkajs hands it over (structurally; offsets and timestamps are decimal strings). */
export interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: readonly FetchedMessage[];
  /** The last offset the fetch covered, including filtered control records and aborted messages. */
  lastOffset: number;
  /** The partition's log end offset as the fetch saw it (for the consumer lag metric). */
  highWatermark?: number;
}

/**
 * What the consumer reports. batch() may return a promise: kafkajs awaits it before it fetches again, which is
 * how the source holds fetching back while its queue is full (source.ts); the other callbacks are synchronous.
 */
interface ConsumerHandlers {
  batch(batch: FetchedBatch): void | Promise<void>;
  /** The group (re)assigned partitions: seeks made here apply to the first fetch. */
  assigned(assignment: Record<string, number[]>): void;
  /** kafkajs finished a batch up to lastOffset, including batches of control records only (never passed to batch()). */
  batchDone(topic: string, partition: number, lastOffset: number): void;
  /** The consumer stopped for good. */
  crashed(error: Error): void;
}

export interface ConsumerLink {
  /** Connects, joins the group and starts fetching; resolves once partitions are assigned. */
  start(topics: string[], handlers: ConsumerHandlers): Promise<void>;
  /** The next fetch of the partition starts at `offset`; 'earliest' for the log start. */
  seek(topic: string, partition: number, offset: number | 'earliest'): void;
  pause(topics: string[]): void;
  resume(topics: string[]): void;
  /** Commits next offsets to the consumer group. */
  commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void>;
  close(): Promise<void>;
}

export interface AdminLink {
  topicExists(topic: string): Promise<boolean>;
  /** Log start (low) and end (high) offsets per partition. */
  offsets(topic: string): Promise<{ partition: number; low: number; high: number }[]>;
  /** Per partition, the first offset whose timestamp is at least `timestamp` (the end offset if none). */
  offsetsAt(topic: string, timestamp: number): Promise<Map<number, number>>;
  /** Committed offsets of a group, only for partitions that have one. */
  committed(groupId: string, topic: string): Promise<Map<number, number>>;
  /** Creates the topic with `config` (topic-level settings); resolves once it has leaders. Losing a race to create it is fine. */
  createTopic(topic: string, partitions: number, config: Record<string, string>): Promise<void>;
  /** Deletes the topics among `topics` that exist. */
  deleteTopics(topics: string[]): Promise<void>;
  /** Deletes the records below `offset` in each partition given (the log start moves there: Kafka's DeleteRecords). */
  deleteRecords(topic: string, below: Map<number, number>): Promise<void>;
  close(): Promise<void>;
}

export type SinkPartitioner = 'default' | 'fixed' | 'round-robin';

/** Where a record landed. */
export interface RecordPosition {
  partition: number;
  offset: number;
}

export interface TransactionLink {
  /**
   * Resolves with where each partition's share of the records begins (one entry for a single record).
   * `partitioner`: the sending table's, when several tables share the transaction (else the producer's).
   */
  send(topic: string, records: OutRecord[], partitioner?: SinkPartitioner): Promise<RecordPosition[]>;
  /** The producer id and epoch this transaction runs under (its own: every transaction gets a new epoch). */
  readonly names: OpenTransaction;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface ProducerLink {
  send(topic: string, records: OutRecord[]): Promise<void>;
  /** Transactional producers only: starts a transaction (the first one also fences older producers with the id). */
  begin(): Promise<TransactionLink>;
  close(): Promise<void>;
}

/** Runs a kafkajs call, turning its failure into an ExternalError that says what was being done. */
async function external<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw e instanceof ExternalError ? e : new ExternalError('kafka', `${what}: ${(e as Error).message}`, e);
  }
}

/**
 * kafkajs log lines into the job's logger. Its ERROR lines become warnings: kafkajs logs every error it is
 * about to retry, and the ones that end an operation reach us as exceptions anyway. Error answers to single
 * requests (e.g. the first metadata answer for a topic being auto-created) and INFO chatter go to debug.
 */
function logCreator(log: Logger, hooks: ClientHooks) {
  return () => ({ namespace, level, log: entry }: LogEntry) => {
    const { message, timestamp: _t, logger: _l, ...extra } = entry;
    // kafkajs tells of a fetch position that is no longer in the log only here, and resets it to the log start.
    if (hooks.offsetOutOfRange && message.startsWith('Offset out of range, resetting')) hooks.offsetOutOfRange(String(extra.topic), Number(extra.partition));
    const fields = { kafka: namespace, ...extra };
    if (level === logLevel.ERROR && namespace === 'Connection' && message.startsWith('Response ')) log.debug(fields, message);
    else if (level === logLevel.ERROR) log.warn(fields, message);
    else if (level === logLevel.WARN) log.warn(fields, message);
    else if (level === logLevel.INFO) log.debug(fields, message);
    else log.trace(fields, message);
  };
}

function tlsOptions(s: ClientSettings): ConnectionOptions | boolean {
  if (s.caFile === null && s.checkHostname) return true;
  const tls: ConnectionOptions = {};
  if (s.caFile !== null) tls.ca = [readFileSync(s.caFile, 'utf8')];
  if (!s.checkHostname) tls.checkServerIdentity = () => undefined;
  return tls;
}

/**
 * 'default' is kafkajs's DefaultPartitioner (Java's murmur2 of the key, so keys land where Java clients put
 * them; keyless records round-robin), 'fixed' Flink's FlinkFixedPartitioner for the one writer (partition 0).
 */
function partitioner(kind: SinkPartitioner): PartitionChooser {
  if (kind === 'fixed') return () => 0;
  if (kind === 'round-robin') {
    let next = 0;
    return (_topic, _record, partitions) => partitions[next++ % partitions.length].partitionId;
  }
  const choose = Partitioners.DefaultPartitioner();
  return (topic, message, partitionMetadata) => choose({ topic, partitionMetadata: partitionMetadata as Parameters<typeof choose>[0]['partitionMetadata'], message: message as Parameters<typeof choose>[0]['message'] });
}

/**
 * Subscribes, waiting a little for topics the broker is still auto-creating (the first metadata answer for a
 * new topic is UNKNOWN_TOPIC_OR_PARTITION); a topic that stays unknown fails after about 5 s.
 */
async function subscribe(consumer: Consumer, topics: string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await consumer.subscribe({ topics, fromBeginning: true });
    } catch (e) {
      if ((e as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 25) throw e;
      await delay(200);
    }
  }
}

/** What a client's user hears of besides results and errors. */
export interface ClientHooks {
  /** A consumer's fetch position is no longer in the log (deleted by retention); kafkajs moves it to the log start. */
  offsetOutOfRange?(topic: string, partition: number): void;
}

export class KafkaClient {
  private readonly kafka: Kafka;

  constructor(private readonly settings: ClientSettings, private readonly log: Logger, hooks: ClientHooks = {}) {
    const config: KafkaConfig = {
      brokers: settings.brokers,
      clientId: settings.clientId,
      connectionTimeout: settings.connectionTimeout,
      requestTimeout: settings.requestTimeout,
      retry: settings.retry,
      logLevel: log.isLevelEnabled('trace') ? logLevel.DEBUG : log.isLevelEnabled('debug') ? logLevel.INFO : logLevel.WARN,
      logCreator: logCreator(log, hooks),
    };
    if (settings.security === 'SSL' || settings.security === 'SASL_SSL') config.ssl = tlsOptions(settings);
    if (settings.security.startsWith('SASL') && settings.saslCredentials) {
      const { username, password } = settings.saslCredentials;
      config.sasl = settings.saslMechanism === 'plain'
        ? { mechanism: 'plain', username, password }
        : settings.saslMechanism === 'scram-sha-256'
          ? { mechanism: 'scram-sha-256', username, password }
          : { mechanism: 'scram-sha-512', username, password };
    }
    this.kafka = new Kafka(config);
  }

  private get where(): string {
    return this.settings.brokers.join(',');
  }

  async admin(): Promise<AdminLink> {
    const admin = this.kafka.admin();
    await external(`cannot connect to ${this.where}`, () => admin.connect());
    const num = (s: string) => Number(s);
    return {
      topicExists: (topic) => external('listing topics', async () => (await admin.listTopics()).includes(topic)),
      offsets: (topic) => external(`reading the offsets of topic ${topic}`, async () =>
        (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: num(p.low), high: num(p.high) }))),
      offsetsAt: (topic, timestamp) => external(`reading the offsets of topic ${topic} at ${timestamp}`, async () =>
        new Map((await admin.fetchTopicOffsetsByTimestamp(topic, timestamp)).map((p) => [p.partition, num(p.offset)]))),
      committed: (groupId, topic) => external(`reading the offsets of group ${groupId}`, async () => {
        const out = new Map<number, number>();
        for (const t of await admin.fetchOffsets({ groupId, topics: [topic] })) {
          for (const p of t.partitions) if (num(p.offset) >= 0) out.set(p.partition, num(p.offset));
        }
        return out;
      }),
      createTopic: (topic, partitions, config) => external(`creating topic ${topic}`, async () => {
        const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
        // Resolves false when the topic exists already (another writer created it first).
        // Leaders of a new topic's partitions take longer than kafkajs' 5 s on a loaded single broker.
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries }], waitForLeaders: true, timeout: 30_000 });
      }),
      deleteTopics: (topics) => external(`deleting topics ${topics.join(', ')}`, async () => {
        const existing = new Set(await admin.listTopics());
        const gone = topics.filter((t) => existing.has(t));
        if (gone.length) await admin.deleteTopics({ topics: gone });
      }),
      deleteRecords: (topic, below) => external(`deleting records of topic ${topic}`, async () => {
        if (below.size) await admin.deleteTopicRecords({ topic, partitions: [...below].map(([partition, offset]) => ({ partition, offset: String(offset) })) });
      }),
      close: () => admin.disconnect(),
    };
  }

  /**
   * Commits a transaction a producer that is gone left open (BatchSender.commitLeftOpen): true when it is
   * committed, false when it is not open under that producer id and epoch.
   */
  commitLeftOpen(transactionalId: string, t: OpenTransaction): Promise<boolean> {
    return external(`committing transaction ${transactionalId} (producer ${t.producerId}, epoch ${t.epoch}) left open`,
      () => BatchSender.commitLeftOpen(this.kafka, { transactionalId, ...t }));
  }

  /** `assigner`: how the group hands out partitions (a parallel source's subtasks: split-assigner.ts). */
  consumer(s: ConsumerSettings, groupId: string, assigner?: PartitionAssigner): ConsumerLink {
    const consumer: Consumer = this.kafka.consumer({
      groupId, ...(assigner ? { partitionAssigners: [assigner] } : {}), sessionTimeout: s.sessionTimeout, heartbeatInterval: s.heartbeatInterval, rebalanceTimeout: s.rebalanceTimeout,
      minBytes: s.minBytes, maxBytes: s.maxBytes, maxBytesPerPartition: s.maxBytesPerPartition, maxWaitTimeInMs: s.maxWaitTimeInMs,
      readUncommitted: s.readUncommitted, allowAutoTopicCreation: s.allowAutoTopicCreation, metadataMaxAge: s.metadataMaxAge,
    });
    let removers: (() => void)[] = [];
    return {
      start: async (topics, h) => {
        removers = [
          consumer.on(consumer.events.GROUP_JOIN, (e) => h.assigned(e.payload.memberAssignment)),
          consumer.on(consumer.events.END_BATCH_PROCESS, (e) => h.batchDone(e.payload.topic, e.payload.partition, Number(e.payload.lastOffset))),
          consumer.on(consumer.events.CRASH, (e) => {
            if (!e.payload.restart) h.crashed(new ExternalError('kafka', `consumer of group ${groupId} stopped: ${e.payload.error.message}`, e.payload.error));
          }),
        ];
        await external(`cannot connect to ${this.where}`, () => consumer.connect());
        await external(`subscribing to ${topics.join(', ')}`, () => subscribe(consumer, topics));
        // run() resolves once the group is joined (after GROUP_JOIN). eachBatch waits at most about a second
        // (the source pauses the consumer instead when its queue stays full), so heartbeats, which kafkajs
        // sends between batches, go on.
        await external(`joining consumer group ${groupId}`, () => consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => h.batch({ topic: batch.topic, partition: batch.partition, messages: batch.messages, lastOffset: Number(batch.lastOffset()), highWatermark: Number(batch.highWatermark) }),
        }));
      },
      seek: (topic, partition, offset) => consumer.seek({ topic, partition, offset: offset === 'earliest' ? '-2' : String(offset) }),
      pause: (topics) => consumer.pause(topics.map((topic) => ({ topic }))),
      resume: (topics) => consumer.resume(topics.map((topic) => ({ topic }))),
      commit: (offsets) => external(`committing offsets of group ${groupId}`, () =>
        consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })))),
      close: async () => {
        for (const remove of removers) remove();
        await consumer.disconnect();
      },
    };
  }

  /**
   * `toPartition`: the partition of each record, chosen by the caller (an exchange between subtasks writes
   * partition i for subtask i); else the partitioner's.
   */
  async producer(s: ProducerSettings, opts: { transactionalId: string | null; partitioner: SinkPartitioner; toPartition?: (record: OutRecord) => number }): Promise<ProducerLink> {
    const transactional = opts.transactionalId !== null;
    const idempotent = transactional || s.idempotent;
    const sender = await external(`cannot connect to ${this.where}`, () => BatchSender.connect(this.kafka, {
      // Idempotent and transactional sends must wait for all replicas (as kafkajs and the Java client insist).
      acks: idempotent ? -1 : s.acks,
      timeoutMs: this.settings.requestTimeout ?? 30_000,
      gzip: s.gzip,
      transactionalId: opts.transactionalId,
      transactionTimeout: s.transactionTimeout,
      idempotent,
      metadataMaxAge: s.metadataMaxAge ?? 300_000,
      allowAutoTopicCreation: s.allowAutoTopicCreation,
      choose: opts.toPartition ? (_topic, record) => opts.toPartition!(record) : partitioner(opts.partitioner),
    }));
    const positions = (acks: { partition: number; offset: number }[]) => acks.map((a) => ({ partition: a.partition, offset: a.offset }));
    // One chooser per partitioner kind (round-robin keeps its turn), for transactions several tables share.
    const choosers = new Map<SinkPartitioner, PartitionChooser>();
    const chooser = (kind: SinkPartitioner | undefined) => {
      if (kind === undefined || kind === opts.partitioner) return undefined;
      let c = choosers.get(kind);
      if (!c) choosers.set(kind, (c = partitioner(kind)));
      return c;
    };
    return {
      send: (topic, records) => external(`writing to topic ${topic}`, async () => { await sender.send(topic, records); }),
      begin: () => external(`beginning a transaction (${opts.transactionalId})`, async () => {
        await sender.begin();
        return {
          names: sender.transaction,
          send: (topic, records, kind) => external(`writing to topic ${topic} in transaction ${opts.transactionalId}`, async () => positions(await sender.send(topic, records, chooser(kind)))),
          commit: () => external(`committing transaction ${opts.transactionalId}`, () => sender.commit()),
          abort: () => external(`aborting transaction ${opts.transactionalId}`, () => sender.abort()),
        };
      }),
      close: () => sender.disconnect(),
    };
  }
}
