// The `properties.*` options of the kafka and upsert-kafka tables: Java Kafka client settings, translated to
// what the Node client (kafkajs) understands. Kept free of kafkajs so that option validation (compiler) stays
// light; client.ts turns these settings into clients. A property the Node client has no equivalent for
// (serializers, assignment strategies, Java keystores, ...) is accepted as Flink passes it on, and logged once
// as ignored when the table opens (Kafka's own client warns about unknown configs the same way).
import { parseDuration, type OptionProblem } from '../../core/options.js';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface ClientSettings {
  brokers: string[];
  clientId: string;
  connectionTimeout?: number;
  requestTimeout?: number;
  retry: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
  security: SecurityProtocol;
  saslMechanism: SaslMechanism;
  /** From sasl.jaas.config (username="..." password="..."). */
  saslCredentials: { username: string; password: string } | null;
  /** A PEM trust store (ssl.truststore.type = PEM), read when the client is created. */
  caFile: string | null;
  /** false when ssl.endpoint.identification.algorithm is empty, as the Java client reads it. */
  checkHostname: boolean;
}

export interface ConsumerSettings {
  /** properties.group.id: where checkpoints' offsets are committed (and group-offsets starts read); null: none. */
  groupId: string | null;
  /** Group membership settings: read and kept, but unused (readers never join a group: assigned-consumer.ts). */
  sessionTimeout?: number;
  heartbeatInterval?: number;
  rebalanceTimeout?: number;
  minBytes?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
  /** fetch.max.wait.ms: the Java client's 500 ms rather than kafkajs's 5 s, so a resumed reader refills quickly. */
  maxWaitTimeInMs: number;
  /** isolation.level; read_committed by default (see docs: the Java default reads aborted transactions). */
  readUncommitted: boolean;
  allowAutoTopicCreation: boolean;
  metadataMaxAge?: number;
  /** What group-offsets does for a partition without a committed offset: 'earliest' unless set (Flink fails). */
  autoOffsetReset: 'earliest' | 'latest' | 'none';
  /** Flink's commit.offsets.on.checkpoint. */
  commitOnCheckpoint: boolean;
}

export interface ProducerSettings {
  acks: -1 | 0 | 1;
  /** transaction.timeout.ms; 15 min by default, the largest a broker with default settings accepts. */
  transactionTimeout: number;
  idempotent: boolean;
  maxInFlightRequests?: number;
  gzip: boolean;
  lingerMs: number;
  /** max.request.size: one produce request carries at most this many bytes of records. */
  maxRequestBytes: number;
  /** buffer.memory: records accepted but not yet acknowledged, beyond which write() holds the job back. */
  bufferMemory: number;
  allowAutoTopicCreation: boolean;
  metadataMaxAge?: number;
}

export interface KafkaSettings {
  client: ClientSettings;
  consumer: ConsumerSettings;
  producer: ProducerSettings;
  /** Properties given but not used, each with the reason. */
  ignored: { key: string; reason: string }[];
}

type Parse = 'int' | 'bool' | 'string' | readonly string[];

interface Property {
  parse: Parse;
  apply(s: KafkaSettings, value: string): void | string;
}

const int = (v: string) => Number(v);

/**
 * Java client keys the Node client understands. `apply` returns a reason string when the value is accepted
 * but has no effect (it is then logged as ignored).
 */
const PROPERTIES: Record<string, Property> = {
  'bootstrap.servers': { parse: 'string', apply: (s, v) => { s.client.brokers = v.split(',').map((b) => b.trim().replace(/^[A-Z_]+:\/\//, '')).filter(Boolean); } },
  'group.id': { parse: 'string', apply: (s, v) => { s.consumer.groupId = v; } },
  'client.id': { parse: 'string', apply: (s, v) => { s.client.clientId = v; } },
  'request.timeout.ms': { parse: 'int', apply: (s, v) => { s.client.requestTimeout = int(v); } },
  'socket.connection.setup.timeout.ms': { parse: 'int', apply: (s, v) => { s.client.connectionTimeout = int(v); } },
  retries: { parse: 'int', apply: (s, v) => { s.client.retry.retries = int(v); } },
  'retry.backoff.ms': { parse: 'int', apply: (s, v) => { s.client.retry.initialRetryTime = int(v); } },
  'retry.backoff.max.ms': { parse: 'int', apply: (s, v) => { s.client.retry.maxRetryTime = int(v); } },
  'metadata.max.age.ms': { parse: 'int', apply: (s, v) => { s.consumer.metadataMaxAge = s.producer.metadataMaxAge = int(v); } },
  'security.protocol': { parse: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], apply: (s, v) => { s.client.security = v.toUpperCase() as SecurityProtocol; } },
  'sasl.mechanism': { parse: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], apply: (s, v) => { s.client.saslMechanism = v.toLowerCase() as SaslMechanism; } },
  'sasl.jaas.config': {
    parse: 'string',
    apply: (s, v) => {
      const user = /username\s*=\s*"([^"]*)"/.exec(v);
      const password = /password\s*=\s*"([^"]*)"/.exec(v);
      if (!user || !password) return 'only username="..." password="..." login modules are supported';
      s.client.saslCredentials = { username: user[1], password: password[1] };
    },
  },
  'ssl.truststore.location': { parse: 'string', apply: (s, v) => { s.client.caFile = v; } },
  'ssl.truststore.type': { parse: 'string', apply: (_s, v) => (v.toUpperCase() === 'PEM' ? undefined : 'only PEM trust stores can be read; JKS/PKCS12 need converting to PEM') },
  'ssl.endpoint.identification.algorithm': { parse: 'string', apply: (s, v) => { s.client.checkHostname = v.trim() !== ''; } },
  'session.timeout.ms': { parse: 'int', apply: (s, v) => { s.consumer.sessionTimeout = int(v); } },
  'heartbeat.interval.ms': { parse: 'int', apply: (s, v) => { s.consumer.heartbeatInterval = int(v); } },
  'max.poll.interval.ms': { parse: 'int', apply: (s, v) => { s.consumer.rebalanceTimeout = int(v); } },
  'fetch.min.bytes': { parse: 'int', apply: (s, v) => { s.consumer.minBytes = int(v); } },
  'fetch.max.bytes': { parse: 'int', apply: (s, v) => { s.consumer.maxBytes = int(v); } },
  'max.partition.fetch.bytes': { parse: 'int', apply: (s, v) => { s.consumer.maxBytesPerPartition = int(v); } },
  'fetch.max.wait.ms': { parse: 'int', apply: (s, v) => { s.consumer.maxWaitTimeInMs = int(v); } },
  'isolation.level': { parse: ['read_committed', 'read_uncommitted'], apply: (s, v) => { s.consumer.readUncommitted = v.toLowerCase() === 'read_uncommitted'; } },
  'allow.auto.create.topics': { parse: 'bool', apply: (s, v) => { s.consumer.allowAutoTopicCreation = s.producer.allowAutoTopicCreation = v === 'true'; } },
  'auto.offset.reset': { parse: ['earliest', 'latest', 'none'], apply: (s, v) => { s.consumer.autoOffsetReset = v.toLowerCase() as ConsumerSettings['autoOffsetReset']; } },
  'commit.offsets.on.checkpoint': { parse: 'bool', apply: (s, v) => { s.consumer.commitOnCheckpoint = v === 'true'; } },
  'enable.auto.commit': { parse: 'bool', apply: (_s, v) => (v === 'true' ? 'offsets are committed on checkpoints only (as Flink does)' : undefined) },
  'partition.discovery.interval.ms': { parse: 'int', apply: (s, v) => { s.consumer.metadataMaxAge = int(v); } },
  acks: { parse: ['all', '-1', '0', '1'], apply: (s, v) => { s.producer.acks = v === 'all' ? -1 : (int(v) as -1 | 0 | 1); } },
  'transaction.timeout.ms': { parse: 'int', apply: (s, v) => { s.producer.transactionTimeout = int(v); } },
  'enable.idempotence': { parse: 'bool', apply: (s, v) => { s.producer.idempotent = v === 'true'; } },
  'max.in.flight.requests.per.connection': { parse: 'int', apply: (s, v) => { s.producer.maxInFlightRequests = int(v); } },
  'compression.type': {
    parse: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    apply: (s, v) => {
      s.producer.gzip = v.toLowerCase() === 'gzip';
      return ['none', 'gzip'].includes(v.toLowerCase()) ? undefined : 'the Node client writes gzip only; records are sent uncompressed';
    },
  },
  'linger.ms': { parse: 'int', apply: (s, v) => { s.producer.lingerMs = int(v); } },
  'max.request.size': { parse: 'int', apply: (s, v) => { s.producer.maxRequestBytes = int(v); } },
  'buffer.memory': { parse: 'int', apply: (s, v) => { s.producer.bufferMemory = int(v); } },
};

/** The properties a table sets, without the 'properties.' prefix. */
function propertiesOf(options: Record<string, string>): [string, string][] {
  return Object.entries(options).filter(([k]) => k.startsWith('properties.')).map(([k, v]) => [k.slice('properties.'.length), v]);
}

function checkValue(parse: Parse, value: string): string | null {
  if (parse === 'int') return /^\d+$/.test(value.trim()) ? null : 'must be a non-negative integer';
  if (parse === 'bool') return value === 'true' || value === 'false' ? null : "must be 'true' or 'false'";
  if (parse === 'string') return null;
  return parse.some((p) => p.toLowerCase() === value.trim().toLowerCase()) ? null : `must be one of ${parse.join(', ')}`;
}

/** Problems with the values of known properties (unknown ones pass: they are ignored with a log line). */
export function validateProperties(options: Record<string, string>): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const [key, value] of propertiesOf(options)) {
    const p = PROPERTIES[key];
    const message = p && checkValue(p.parse, value);
    if (message) problems.push({ option: `properties.${key}`, message: `invalid value '${value}' for option 'properties.${key}': ${message}` });
  }
  const protocol = options['properties.security.protocol']?.toUpperCase();
  if (protocol?.startsWith('SASL') && !options['properties.sasl.jaas.config']) {
    problems.push({ option: 'properties.sasl.jaas.config', message: `security.protocol ${protocol} needs 'properties.sasl.jaas.config' with username="..." password="..."` });
  }
  return problems;
}

/** Reads the properties (and the table options that tune the client) into settings, with the defaults described on each field. */
export function readKafkaSettings(options: Record<string, string>, table: string): KafkaSettings {
  const s: KafkaSettings = {
    client: { brokers: [], clientId: `sluice-${table}`, retry: {}, security: 'PLAINTEXT', saslMechanism: 'plain', saslCredentials: null, caFile: null, checkHostname: true },
    // A restarted job rejoins its consumer group only once the broker drops the crashed member: a short
    // session (the broker's default minimum, 6 s) keeps failover quick; the client's default is 30 s.
    consumer: { groupId: null, maxWaitTimeInMs: 500, readUncommitted: false, allowAutoTopicCreation: true, autoOffsetReset: 'earliest', commitOnCheckpoint: true, sessionTimeout: 6000, heartbeatInterval: 1000 },
    producer: { acks: -1, transactionTimeout: 900_000, idempotent: false, gzip: false, lingerMs: 5, maxRequestBytes: 1_048_576, bufferMemory: 33_554_432, allowAutoTopicCreation: true },
    ignored: [],
  };
  for (const [key, value] of propertiesOf(options)) {
    const p = PROPERTIES[key];
    if (!p) {
      s.ignored.push({ key, reason: 'not used by the Node Kafka client' });
      continue;
    }
    const reason = p.apply(s, value.trim());
    if (typeof reason === 'string') s.ignored.push({ key, reason });
  }
  // Flink's table option for partition discovery: kafkajs notices new partitions when it refreshes metadata.
  const discovery = options['scan.topic-partition-discovery.interval'];
  if (discovery !== undefined) s.consumer.metadataMaxAge = parseDuration(discovery);
  return s;
}
