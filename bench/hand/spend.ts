// Hand-written spend report: SUM(amount) per (account_id, FLOOR(transaction_time TO HOUR)), the final value per
// key, with a numeric composite key (hour number * 2^20 + account) in one Map.
import { formatTimestamp, writeAnswer } from '../lib/capture.js';
import { forEachChunk, handMain, intField, next, timestampAt } from './hand-loop.js';

const HOUR = 3_600_000;
const ACCOUNTS = 1 << 20;

handMain('spend', (input, output) => {
  const sums = new Map<number, number>();
  let first = -1;
  let rows = 0;
  forEachChunk(input, (buf, end) => {
    if (first < 0) first = Date.now();
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
  writeAnswer(output, 'account_id,log_ts,amount', lines, { mode: 'upsert', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: rows });
  return { firstResultEpochMs: first, rowsRead: rows };
});
