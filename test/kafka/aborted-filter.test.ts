// sluice's correction of kafkajs's read_committed filter (runtime/connectors/kafka/aborted-filter.ts): records
// of aborted transactions are dropped whatever order the fetch answer lists the aborted transactions in (the
// broker lists them in the order they were aborted; kafkajs 2.2.4 assumed the order they began and passed
// records of a later-aborted, earlier-begun transaction on as committed), and an unbundled process's kafkajs
// uses the correction. The broker case: test/kafka/sink-handover.test.ts (three subtasks' transactions fenced
// in another order than they began).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { filterAbortedMessages } from '../../runtime/connectors/kafka/aborted-filter.js';
import '../../runtime/connectors/kafka/client.js';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);
const record = (offset: number, producerId: string, inTransaction = true) => ({ offset: String(offset), key: null, batchContext: { producerId, inTransaction } });
const marker = (offset: number, producerId: string, key: Buffer) => ({ offset: String(offset), key, isControlRecord: true, batchContext: { producerId, inTransaction: true } });
const offsets = (ms: { offset: string; isControlRecord?: boolean }[]) => ms.filter((m) => !m.isControlRecord).map((m) => Number(m.offset));

describe('read_committed filtering of fetched records', () => {
  // Producers a, b, c begin transactions at 10, 12, 14 (interleaved); c is aborted first, then a; b commits;
  // then a's next transaction (18) commits. A non-transactional record (17) is always visible.
  const messages = [
    record(10, 'a'), record(11, 'a'), record(12, 'b'), record(13, 'c'), record(14, 'a'), record(15, 'c'),
    marker(16, 'c', ABORT), record(17, 'x', false), marker(19, 'a', ABORT), marker(20, 'b', COMMIT), record(21, 'a'), marker(22, 'a', COMMIT),
  ];
  const aborted = [{ producerId: 'c', firstOffset: '13' }, { producerId: 'a', firstOffset: '10' }];

  it('drops the aborted transactions\' records whatever order they are listed in', () => {
    expect(offsets(filterAbortedMessages({ messages, abortedTransactions: aborted }))).toEqual([12, 17, 21]);
    expect(offsets(filterAbortedMessages({ messages, abortedTransactions: [...aborted].reverse() }))).toEqual([12, 17, 21]);
  });

  it('counts transactions that began before the fetch offset', () => {
    const fetched = messages.filter((m) => Number(m.offset) >= 14);
    expect(offsets(filterAbortedMessages({ messages: fetched, abortedTransactions: aborted }))).toEqual([17, 21]);
  });

  it('keeps everything without aborted transactions', () => {
    expect(filterAbortedMessages({ messages, abortedTransactions: [] })).toBe(messages);
  });

  it('is the filter kafkajs uses in this (unbundled) process', () => {
    const require = createRequire(import.meta.url);
    expect(require('kafkajs/src/consumer/filterAbortedMessages.js')).toBe(filterAbortedMessages);
  });
});
