// The only importer of kafkajs's public API (batch-sender.ts uses its cluster and transaction manager for the
// producer's send path, assigned-consumer.ts its cluster and record batches for reading). It turns the settings read from `properties.*` into clients and exposes just
// the operations the source, the sink and `sluice datagen` use, as small interfaces with plain numbers for
// offsets, so the rest of the connector never sees kafkajs types or its string offsets. Every kafkajs failure
// leaves here as an ExternalError('kafka', ...): the system at fault is Kafka, not the job.
// First: corrects kafkajs's read_committed filter before kafkajs loads it (aborted-filter.ts).
import './aborted-filter.js';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, Partitioners, type KafkaConfig, type LogEntry } from 'kafkajs';
import { ExternalError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { AssignedConsumer, type ClientHooks, type ConsumerLink } from './assigned-consumer.js';
import { BatchSender, type OpenTransaction, type PartitionChooser } from './batch-sender.js';
import type { ClientSettings, ConsumerSettings, ProducerSettings } from './properties.js';
import type { OutRecord } from './record-batch.js';

export type { OutRecord } from './record-batch.js';
export type { OpenTransaction } from './batch-sender.js';
export type { ClientHooks, ConsumerHandlers, ConsumerLink, FetchedBatch, FetchedMessage } from './assigned-consumer.js';

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
function logCreator(log: Logger) {
  return () => ({ namespace, level, log: entry }: LogEntry) => {
    const { message, timestamp: _t, logger: _l, ...extra } = entry;
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

export class KafkaClient {
  private readonly kafka: Kafka;

  constructor(private readonly settings: ClientSettings, private readonly log: Logger, private readonly hooks: ClientHooks = {}) {
    const config: KafkaConfig = {
      brokers: settings.brokers,
      clientId: settings.clientId,
      connectionTimeout: settings.connectionTimeout,
      requestTimeout: settings.requestTimeout,
      retry: settings.retry,
      logLevel: log.isLevelEnabled('trace') ? logLevel.DEBUG : log.isLevelEnabled('debug') ? logLevel.INFO : logLevel.WARN,
      logCreator: logCreator(log),
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

  /**
   * A reader of the partitions of its topics that `owns` says it reads (all by default), with no group membership
   * (assigned-consumer.ts); `groupId`: the group commit() writes offsets to, null for none.
   */
  consumer(s: ConsumerSettings, groupId: string | null, owns: (topic: string, partition: number) => boolean = () => true): ConsumerLink {
    return new AssignedConsumer(this.kafka, s, groupId, owns, this.log, this.hooks, this.where);
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
