// The table walkthrough's data generator (TransactionSupplier, TransactionSerializer, Producer): accounts
// 1..5 in turn, amounts 0..999, timestamps from 2000-01-01 01:00:00 advancing 5 minutes plus 1..58 seconds per
// transaction. Records as the playground writes them: value csv 'account_id,amount,yyyy-MM-dd HH:mm:ss'
// (no spaces, FLINK-23073), key the account id as an 8-byte big-endian long (Kafka's LongSerializer, so a
// given account always lands on the same partition). The record timestamp is the time of writing, as a Kafka
// producer stamps it, not the transaction time (years in the past): with that, the broker's time-based retention
// would delete the topic's segments as soon as they roll (issue 13.1). The event time is in the value.
import { formatTimestamp } from '../core/values.js';
import type { OutRecord } from '../connectors/kafka/client.js';
import { RowRandom, streamKey } from '../connectors/datagen/random.js';

export interface Transaction {
  accountId: number;
  amount: number;
  /** Epoch millis, UTC. */
  timestamp: number;
}

const FIRST_TIMESTAMP = Date.UTC(2000, 0, 1, 1, 0);
const ACCOUNTS = 5;

/** Counter-based draws (reproducible with a seed) where the Java code uses java.util.Random. */
export class TransactionSupplier {
  private readonly random = new RowRandom();
  private readonly amountKey: number;
  private readonly delayKey: number;
  private n = 0;
  private timestamp = FIRST_TIMESTAMP;

  constructor(seed: number) {
    this.amountKey = streamKey(seed, 'amount');
    this.delayKey = streamKey(seed, 'transaction_time');
  }

  get(): Transaction {
    const n = this.n++;
    this.random.at(this.amountKey, n);
    const t: Transaction = { accountId: (n % ACCOUNTS) + 1, amount: this.random.nextInt(0, 999), timestamp: this.timestamp };
    this.random.at(this.delayKey, n);
    // time.plusMinutes(5).plusSeconds(generator.nextInt(58) + 1)
    this.timestamp += 5 * 60_000 + this.random.nextInt(1, 58) * 1000;
    return t;
  }
}

export function transactionRecord(t: Transaction): OutRecord {
  const key = Buffer.alloc(8);
  key.writeBigInt64BE(BigInt(t.accountId));
  return { key, value: `${t.accountId},${t.amount},${formatTimestamp(t.timestamp, 0)}` };
}
