// Types for the parts of kafkajs 2.2.4 (pinned in package.json) that batch-sender.ts uses beyond its public
// API: its cluster (connections, metadata, brokers), its retrier and its idempotence/transaction manager.
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
