// Types for the parts of kafkajs 2.2.4 (pinned in package.json) that sluice uses beyond its public API: its retrier
// and idempotence/transaction manager (batch-sender.ts), its consumer's record batch (assigned-consumer.ts).
declare module 'kafkajs/src/retry/index.js' {
  type Retrier = <T>(fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;
  const createRetry: (options: Record<string, unknown>) => Retrier;
  export default createRetry;
}

declare module 'kafkajs/src/producer/eosManager/index.js' {
  export interface EosManager {
    initProducerId(): Promise<void>;
    isInitialized(): boolean;
    isTransactional(): boolean;
    isInTransaction(): boolean;
    beginTransaction(): void;
    addPartitionsToTransaction(topicData: { topic: string; partitions: { partition: number }[] }[]): Promise<void>;
    commit(): Promise<void>;
    abort(): Promise<void>;
    getProducerId(): string | number;
    getProducerEpoch(): number;
    getSequence(topic: string, partition: number): number;
    updateSequence(topic: string, partition: number, increment: number): void;
    acquireBrokerLock(broker: unknown): Promise<void>;
    releaseBrokerLock(broker: unknown): void;
  }
  const createEosManager: (o: { logger: unknown; cluster: unknown; transactionTimeout?: number; transactional: boolean; transactionalId?: string }) => EosManager;
  export default createEosManager;
}

declare module 'kafkajs/src/protocol/error.js' {
  export const createErrorFromCode: (code: number) => Error & { type: string; retriable: boolean };
  export const staleMetadata: (e: unknown) => boolean;
}

declare module 'kafkajs/src/consumer/batch.js' {
  /** The records of one partition's share of a Fetch answer, as kafkajs's consumer hands them out. */
  export default class Batch {
    constructor(topic: string, fetchedOffset: string, partitionData: unknown);
    readonly highWatermark: string;
    readonly messages: { offset: string; key: Buffer | null; value: Buffer | null }[];
    isEmpty(): boolean;
    isEmptyDueToFiltering(): boolean;
    /** The last offset the fetch covered, control records and aborted messages included (a decimal string). */
    lastOffset(): string;
  }
}
