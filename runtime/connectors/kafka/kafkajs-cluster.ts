// kafkajs's Cluster (connections, TLS/SASL, metadata, leaders, brokers' requests), which kafkajs keeps behind a
// symbol of its Kafka object: the producer's send path (batch-sender.ts) and the group-less consumer
// (assigned-consumer.ts) talk to Kafka over it, so that only the per-record work is ours and every protocol
// detail below it stays kafkajs's. Typed here for the parts they use (kafkajs 2.2.4 is pinned in package.json).
import type { Kafka } from 'kafkajs';

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
}

/** A partition's share of a Fetch answer, as kafkajs decodes it (consumer/batch.js takes it as it is). */
export interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  messages: unknown[];
}

export interface Broker {
  nodeId: number;
  versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  fetch(o: {
    isolationLevel: number; maxWaitTime: number; minBytes: number; maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: FetchedPartition[] }[] }>;
  offsetCommit(o: {
    groupId: string; groupGenerationId: number; memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}

/** What kafkajs's Cluster offers that sluice uses. */
export interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(o: { nodeId: string }): Promise<Broker>;
  removeBroker(o: { host: string; port: number }): void;
  findGroupCoordinator(o: { groupId: string; coordinatorType: number }): Promise<Broker & {
    endTxn(o: { transactionalId: string; producerId: string; producerEpoch: number; transactionResult: boolean }): Promise<unknown>;
  }>;
  /** ListOffsets: the earliest (fromBeginning) or latest offset of each partition, decimal strings. */
  fetchTopicsOffset(topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[]): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  retry: Record<string, unknown>;
}

/** kafkajs keeps these behind symbols: its Kafka's cluster factory and its Broker's request sender. */
export const symbol = (o: object, description: string): symbol => {
  for (let p: object | null = o; p !== null; p = Object.getPrototypeOf(p)) {
    const s = Object.getOwnPropertySymbols(p).find((x) => x.description === description);
    if (s) return s;
  }
  throw new Error(`kafkajs has no ${description} (sluice needs kafkajs 2.2.4)`);
};

/** A new cluster of `kafka`'s brokers and settings (its own connections), not connected yet. */
export function createCluster(kafka: Kafka, o: { metadataMaxAge: number; allowAutoTopicCreation: boolean; isolationLevel?: number }): Cluster {
  const factory = (kafka as unknown as Record<symbol, (c: object) => Cluster>)[symbol(kafka, 'private:Kafka:createCluster')];
  return factory({ ...o, maxInFlightRequests: null });
}
