// The producer's send path: records of one topic, grouped by partition, encoded as RecordBatches by
// record-batch.ts and sent as Produce requests over kafkajs's own cluster (its connections, TLS/SASL,
// metadata, leader lookup and retry policy) with its idempotence/transaction manager (producer ids, epochs,
// sequence numbers, AddPartitionsToTxn, EndTxn), so fencing, commits and aborts are kafkajs's, unchanged; the
// one request of ours there is the EndTxn that commits a transaction a producer that is gone left open.
// Only what costs per record is ours: kafkajs's producer groups a send's records copying an array per record
// and encodes each record through its own growing buffer (bench/README.md, "Writing Kafka").
//
// A send that fails on some leaders and not others is retried only for the partitions not yet acknowledged:
// their sequence numbers were taken back, so an idempotent retry is deduplicated by the broker, and nothing
// acknowledged is sent twice.
import type { Kafka } from 'kafkajs';
import createRetry from 'kafkajs/src/retry/index.js';
import createEosManager, { type EosManager } from 'kafkajs/src/producer/eosManager/index.js';
import { createErrorFromCode, staleMetadata } from 'kafkajs/src/protocol/error.js';
import { createCluster, symbol, type Broker, type Cluster, type PartitionMetadata } from './kafkajs-cluster.js';
import { encodeProduceBody, type OutRecord, type PartitionRecords } from './record-batch.js';

/** kafkajs's FindCoordinator key type of a transaction coordinator (protocol/coordinatorTypes.js). */
const TRANSACTION_COORDINATOR = 1;

/** What names a transaction besides its transactional id. */
export interface OpenTransaction {
  /** The producer id, a decimal string (an int64). */
  producerId: string;
  epoch: number;
}

/** Chooses a record's partition from the topic's partitions (kafkajs's metadata). */
export type PartitionChooser = (topic: string, record: OutRecord, partitions: PartitionMetadata[]) => number;

export interface SenderOptions {
  acks: number;
  timeoutMs: number;
  gzip: boolean;
  transactionalId: string | null;
  transactionTimeout: number;
  /** Idempotent (implied by transactional): producer id and sequence numbers. */
  idempotent: boolean;
  metadataMaxAge: number;
  allowAutoTopicCreation: boolean;
  choose: PartitionChooser;
}

/** Where each partition's share of a send begins. */
export interface Acknowledged {
  partition: number;
  offset: number;
}

const PRODUCE = 0;
/** Produce versions 3–8 share the request layout record-batch.ts writes (9 on are flexible versions). */
const MIN_VERSION = 3;
const MAX_VERSION = 8;

/** Decodes a Produce response (v3–v8): per partition its error code and base offset. */
function decodeResponse(raw: Buffer, version: number): { partition: number; errorCode: number; baseOffset: number }[] {
  let at = 0;
  const int16 = () => { const v = raw.readInt16BE(at); at += 2; return v; };
  const int32 = () => { const v = raw.readInt32BE(at); at += 4; return v; };
  const int64 = () => { const v = Number(raw.readBigInt64BE(at)); at += 8; return v; };
  const string = () => { const n = int16(); const s = n < 0 ? null : raw.toString('utf8', at, at + n); at += Math.max(0, n); return s; };
  const out: { partition: number; errorCode: number; baseOffset: number }[] = [];
  for (let t = int32(); t > 0; t--) {
    string();
    for (let p = int32(); p > 0; p--) {
      const partition = int32();
      const errorCode = int16();
      const baseOffset = int64();
      int64(); // log append time
      if (version >= 5) int64(); // log start offset
      if (version >= 8) {
        for (let e = int32(); e > 0; e--) { int32(); string(); } // record errors
        string(); // error message
      }
      out.push({ partition, errorCode, baseOffset });
    }
  }
  return out;
}

export class BatchSender {
  private readonly eos: EosManager;
  private readonly retrier: ReturnType<typeof createRetry>;
  /** kafkajs's Broker method that sends a request (and drops a closed connection), found at the first send. */
  private sendRequest: symbol | null = null;
  private readonly logger: unknown;

  private constructor(kafka: Kafka, private readonly cluster: Cluster, private readonly o: SenderOptions) {
    this.logger = kafka.logger().namespace('Producer');
    this.retrier = createRetry({ ...cluster.retry });
    this.eos = createEosManager({ logger: this.logger, cluster, transactionTimeout: o.transactionTimeout, transactional: o.transactionalId !== null, transactionalId: o.transactionalId ?? undefined });
  }

  /** Connects; an idempotent (not transactional) producer also gets its producer id now. */
  static async connect(kafka: Kafka, o: SenderOptions): Promise<BatchSender> {
    const cluster = createCluster(kafka, { metadataMaxAge: o.metadataMaxAge, allowAutoTopicCreation: o.allowAutoTopicCreation });
    const sender = new BatchSender(kafka, cluster, o);
    await cluster.connect();
    if (o.idempotent && o.transactionalId === null) await sender.eos.initProducerId();
    return sender;
  }

  get transactional(): boolean {
    return this.o.transactionalId !== null;
  }

  /**
   * Begins a transaction under a fresh producer epoch (InitProducerId each time; the first one also fences
   * older producers with the id). A transaction is then named by its id, producer id and epoch alone, so a
   * later run can commit exactly it (commitLeftOpen) and never the next one the same producer began.
   */
  async begin(): Promise<void> {
    await this.eos.initProducerId();
    this.eos.beginTransaction();
  }

  /** The producer id and epoch of the transaction begun last. */
  get transaction(): OpenTransaction {
    return { producerId: String(this.eos.getProducerId()), epoch: this.eos.getProducerEpoch() };
  }

  /**
   * Commits the transaction `t` names, which a producer that is gone (another process, a killed run) left
   * open after its pre-commit: an EndTxn request with its producer id and epoch, as Flink's KafkaCommitter
   * resumes a transaction on recovery. Resolves true when it is committed now or was already (Kafka answers a
   * repeated commit of the same epoch with success), false when it is not open under that epoch any more:
   * aborted (fenced, or timed out at transaction.timeout.ms) or followed by a later transaction of that id.
   */
  static async commitLeftOpen(kafka: Kafka, t: OpenTransaction & { transactionalId: string }): Promise<boolean> {
    const cluster = createCluster(kafka, { metadataMaxAge: 300_000, allowAutoTopicCreation: false });
    const retrier = createRetry({ ...cluster.retry });
    await cluster.connect();
    try {
      return await retrier(async (bail) => {
        try {
          const coordinator = await cluster.findGroupCoordinator({ groupId: t.transactionalId, coordinatorType: TRANSACTION_COORDINATOR });
          await coordinator.endTxn({ transactionalId: t.transactionalId, producerId: t.producerId, producerEpoch: t.epoch, transactionResult: true });
          return true;
        } catch (e) {
          const err = e as Error & { type?: string; retriable?: boolean };
          // INVALID_PRODUCER_EPOCH / PRODUCER_FENCED (a later epoch), INVALID_TXN_STATE (aborted under this
          // epoch), INVALID_PRODUCER_ID_MAPPING (the id expired): not open, and not ours to commit.
          if (err.name === 'KafkaJSProtocolError' && !err.retriable) return false;
          if (err.type === 'NOT_COORDINATOR' || err.type === 'COORDINATOR_NOT_AVAILABLE') await cluster.refreshMetadata();
          if (err.retriable || err.name === 'KafkaJSConnectionError' || err.name === 'KafkaJSConnectionClosedError') throw e;
          bail(err);
          return false;
        }
      });
    } finally {
      await cluster.disconnect();
    }
  }

  commit(): Promise<void> {
    return this.eos.commit();
  }

  abort(): Promise<void> {
    return this.eos.abort();
  }

  /**
   * Sends the records (to the open transaction, if transactional); resolves with where each partition's share
   * begins. `choose`: the partitioner of this send, when the producer serves several tables (a shared transaction).
   */
  async send(topic: string, records: readonly OutRecord[], choose: PartitionChooser = this.o.choose): Promise<Acknowledged[]> {
    const done = new Map<number, number>();
    let byPartition: Map<number, OutRecord[]> | null = null;
    let partitionCount = -1;
    await this.retrier(async (bail, retryCount, retryTime) => {
      const { cluster } = this;
      try {
        await cluster.addMultipleTargetTopics([topic]);
        await cluster.refreshMetadataIfNecessary();
        const meta = cluster.findTopicPartitionMetadata(topic);
        if (meta.length === 0) throw Object.assign(new Error(`no metadata for topic ${topic}`), { name: 'KafkaJSMetadataNotLoaded', retriable: true });
        if (meta.length !== partitionCount) {
          // Grouped once; again only if the topic's partition count changed before anything was acknowledged.
          if (done.size > 0 && partitionCount !== -1) throw new Error(`topic ${topic} changed from ${partitionCount} to ${meta.length} partitions during a send`);
          partitionCount = meta.length;
          byPartition = group(topic, records, meta, choose);
        }
        const todo = [...byPartition!.keys()].filter((p) => !done.has(p));
        const leaders = cluster.findLeaderForPartitions(topic, todo);
        await Promise.all(Object.entries(leaders).map(async ([nodeId, partitions]) => {
          const broker = await cluster.findBroker({ nodeId });
          for (const a of await this.produce(broker, topic, partitions.map((p) => ({ partition: p, records: byPartition!.get(p)!, firstSequence: -1 })))) done.set(a.partition, a.offset);
        }));
        if (todo.some((p) => !done.has(p))) throw Object.assign(new Error(`no leader known for some partitions of ${topic}`), { name: 'KafkaJSMetadataNotLoaded', retriable: true });
      } catch (e) {
        const err = e as Error & { retriable?: boolean; host?: string; port?: number };
        if (err.name === 'KafkaJSConnectionClosedError' && err.host !== undefined) cluster.removeBroker({ host: err.host, port: err.port! });
        if (!cluster.isConnected()) {
          await cluster.connect();
          await cluster.refreshMetadata();
          throw e;
        }
        if (staleMetadata(e) || err.name === 'KafkaJSMetadataNotLoaded' || err.name === 'KafkaJSConnectionError' || err.name === 'KafkaJSConnectionClosedError' || (err.name === 'KafkaJSProtocolError' && err.retriable)) {
          await cluster.refreshMetadata();
          throw e;
        }
        if (err.retriable) throw e;
        bail(err);
      }
    });
    return [...done].map(([partition, offset]) => ({ partition, offset }));
  }

  /** One Produce request to a leader, sequence numbers taken under kafkajs's per-broker lock. */
  private async produce(broker: Broker, topic: string, partitions: PartitionRecords[]): Promise<Acknowledged[]> {
    const { eos, o } = this;
    const range = broker.versions?.[PRODUCE];
    if (!range || range.maxVersion < MIN_VERSION || range.minVersion > MAX_VERSION) {
      throw Object.assign(new Error(`the broker supports Produce versions ${range?.minVersion}–${range?.maxVersion}, sluice writes ${MIN_VERSION}–${MAX_VERSION}`), { retriable: false });
    }
    const version = Math.min(range.maxVersion, MAX_VERSION);
    await eos.acquireBrokerLock(broker);
    try {
      if (this.transactional) await eos.addPartitionsToTransaction([{ topic, partitions: partitions.map((p) => ({ partition: p.partition })) }]);
      for (const p of partitions) {
        p.firstSequence = eos.isInitialized() ? eos.getSequence(topic, p.partition) : -1;
        eos.updateSequence(topic, p.partition, p.records.length);
      }
      const producerId = BigInt(eos.getProducerId());
      const body = { transactionalId: o.transactionalId, acks: o.acks, timeoutMs: o.timeoutMs, topic, partitions, producerId, producerEpoch: eos.getProducerEpoch(), gzip: o.gzip };
      try {
        const send = (broker as unknown as Record<symbol, (r: unknown) => Promise<ReturnType<typeof decodeResponse>>>)[this.requestSymbol(broker)].bind(broker);
        const answer = await send({
          request: {
            apiKey: PRODUCE, apiVersion: version, apiName: 'Produce', expectResponse: () => o.acks !== 0,
            // kafkajs copies what encode() returns by its `buf` and `buffer`, as it does its own Encoder's.
            encode: async () => { const buf = await encodeProduceBody(body); return { buf, buffer: buf }; },
          },
          response: {
            decode: async (raw: Buffer) => decodeResponse(raw, version),
            parse: async (rows: ReturnType<typeof decodeResponse>) => {
              const failed = rows.find((r) => r.errorCode !== 0);
              if (failed) throw createErrorFromCode(failed.errorCode);
              return rows;
            },
          },
        });
        if (o.acks === 0) return partitions.map((p) => ({ partition: p.partition, offset: -1 }));
        return answer.map((r) => ({ partition: r.partition, offset: r.baseOffset }));
      } catch (e) {
        for (const p of partitions) eos.updateSequence(topic, p.partition, -p.records.length);
        throw e;
      }
    } finally {
      eos.releaseBrokerLock(broker);
    }
  }

  private requestSymbol(broker: Broker): symbol {
    return (this.sendRequest ??= symbol(broker, 'private:Broker:sendRequest'));
  }

  disconnect(): Promise<void> {
    return this.cluster.disconnect();
  }
}

/** Records by partition, each partition's in the order given. */
function group(topic: string, records: readonly OutRecord[], meta: PartitionMetadata[], choose: PartitionChooser): Map<number, OutRecord[]> {
  if (meta.length === 1) return new Map([[meta[0].partitionId, records as OutRecord[]]]);
  const out = new Map<number, OutRecord[]>();
  for (const r of records) {
    const p = choose(topic, r, meta);
    const list = out.get(p);
    if (list) list.push(r);
    else out.set(p, [r]);
  }
  return out;
}
