// The kinds of `sluice datagen`: for each, the playground generator it reproduces, its usual topic and the
// rate that generator runs at (transactions: Throttler(100); clicks: one every 2 ms; payments: one every 0.5 s).
import type { OutRecord } from '../connectors/kafka/client.js';
import { ClickIterator, clickRecord } from './clicks.js';
import { PaymentSupplier, paymentRecord } from './payments.js';
import { TransactionSupplier, transactionRecord } from './transactions.js';

interface GeneratorOptions {
  /** Seed of the random draws; the same seed gives the same data. */
  seed: number;
  /** Start of generated event times (clicks) and order ids (payments), epoch millis. */
  startMs: number;
}

export interface DatagenKind {
  name: string;
  description: string;
  defaultTopic: string;
  /** Records per second, as the playground's generator produces them. */
  defaultRate: number;
  create(options: GeneratorOptions): () => OutRecord;
}

export const DATAGEN_KINDS: Record<string, DatagenKind> = {
  transactions: {
    name: 'transactions',
    description: "table walkthrough: csv 'account_id,amount,transaction_time', keyed by account",
    defaultTopic: 'transactions',
    defaultRate: 100,
    create: ({ seed }) => {
      const s = new TransactionSupplier(seed);
      return () => transactionRecord(s.get());
    },
  },
  clicks: {
    name: 'clicks',
    description: 'operations playground: json {timestamp, page}, 1000 clicks per page per 15 s window',
    defaultTopic: 'input',
    defaultRate: 500,
    create: ({ startMs }) => {
      const it = new ClickIterator(startMs);
      return () => clickRecord(it.next());
    },
  },
  payments: {
    name: 'payments',
    description: 'pyflink walkthrough: json {createTime, orderId, payAmount, payPlatform, provinceId}',
    defaultTopic: 'payment_msg',
    defaultRate: 2,
    create: ({ seed, startMs }) => {
      const s = new PaymentSupplier(seed, startMs);
      return () => paymentRecord(s.get());
    },
  },
};
