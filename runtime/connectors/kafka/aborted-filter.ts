// A correction to kafkajs 2.2.4's read_committed filtering (kafkajs/src/consumer/filterAbortedMessages.js),
// which the consumer of every kafka source and of sluice's own marker checks relies on. A fetch answer lists
// the aborted transactions of the range as the broker's transaction index keeps them: in the order they were
// aborted. kafkajs walks it as if it were in the order they began (and takes at most one per record), so when
// transactions of several producers in one partition end in another order than they began, as after a
// restore fences a parallel job's subtasks one by one, it passes records of aborted transactions on as
// committed. This does what the Java client's Fetcher does: the aborted transactions ordered by first offset,
// every one that began at or before a record counted before the record is judged, and a producer's abort
// marker ending its aborted transaction.
//
// Carried into kafkajs in two ways, since kafkajs's batch.js keeps the function it required at load: bundles
// replace the file at build time (compiler/bundle/bundle-job.ts), and in an unbundled process (tests, the
// CLI in the source tree) client.ts imports this module before kafkajs, which puts the function into
// require's cache under kafkajs's file name before batch.js asks for it.
import { createRequire } from 'node:module';

interface Message {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** A control record's key: version (int16) then type (int16), 0 for ABORT. */
const isAbortMarker = (m: Message): boolean => m.key !== null && m.key !== undefined && m.key.length >= 4 && m.key.readInt16BE(2) === 0;

/** The records of `messages` (one fetch of one partition, in offset order) that are not in an aborted transaction. */
export function filterAbortedMessages({ messages, abortedTransactions }: { messages: Message[]; abortedTransactions?: AbortedTransaction[] }): Message[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : BigInt(a.firstOffset) > BigInt(b.firstOffset) ? 1 : 0));
  const aborted = new Set<string>();
  let next = 0;
  return messages.filter((m) => {
    const offset = BigInt(m.offset);
    while (next < pending.length && offset >= BigInt(pending[next].firstOffset)) aborted.add(pending[next++].producerId);
    const { producerId, inTransaction } = m.batchContext;
    if (m.isControlRecord && isAbortMarker(m)) {
      aborted.delete(producerId);
      return true; // control records are dropped after this by kafkajs
    }
    return !(inTransaction && aborted.has(producerId));
  });
}

/** In an unbundled process: kafkajs's module replaced by this one in require's cache (a no-op where kafkajs is bundled). */
function replaceInRequireCache(): void {
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
  } catch {
    return; // a bundle: its copy of kafkajs was built with this function
  }
  require(file);
  require.cache[file]!.exports = filterAbortedMessages;
}

replaceInRequireCache();
