// Hand-written spend report: SUM(amount) per (account_id, FLOOR(transaction_time TO HOUR)), the final value per
// key, with a numeric composite key (hour number * 2^20 + account) in one Map.
import { formatTimestamp } from '../lib/capture.js';
import { finalAnswer, forEachChunk, handMain, intField, next, timestampAt } from './hand-loop.js';

const HOUR = 3_600_000;
const ACCOUNTS = 1 << 20;

handMain('spend', (input, output) => {
  const sums = new Map<number, number>();
  let rows = 0;
  const first = forEachChunk(input, (buf, end) => {
    let i = 0;
    while (i < end) {
      const account = intField(buf, i);
      const amount = intField(buf, next);
      const ts = timestampAt(buf, next);
      i = next + 24;
      rows++;
      if (account < 0 || account >= ACCOUNTS) throw new Error(`account_id ${account} does not fit the numeric key`);
      const key = Math.floor(ts / HOUR) * ACCOUNTS + account;
      sums.set(key, (sums.get(key) ?? 0) + amount);
    }
  });
  const lines = [...sums].map(([key, sum]) => `${key % ACCOUNTS},${formatTimestamp(Math.floor(key / ACCOUNTS) * HOUR)},${sum}`);
  return finalAnswer(output, 'account_id,log_ts,amount', lines, first, rows);
});
