// Hand-written Top-N: the three highest bids of each bidder (ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY
// price DESC) <= 3), the final row per (bidder, rn). Each bidder's top three sit in one Float64Array (count,
// then price, auction, ts per rank); a bid that does not beat the third is dropped after one comparison, and an
// equal price ranks after the bids already there (arrival order, as the engines keep ties). Its timestamp is
// parsed only when it enters.
import { formatTimestamp } from '../lib/capture.js';
import { finalAnswer, forEachChunk, handMain, intField, next, timestampAt } from './hand-loop.js';

const N = 3;

handMain('topn', (input, output) => {
  const tops = new Map<number, Float64Array>();
  let rows = 0;
  const first = forEachChunk(input, (buf, end) => {
    let i = 0;
    while (i < end) {
      const auction = intField(buf, i);
      const bidder = intField(buf, next);
      const price = intField(buf, next);
      const tsAt = next;
      i = next + 24;
      rows++;
      let t = tops.get(bidder);
      if (t === undefined) tops.set(bidder, (t = new Float64Array(1 + 3 * N)));
      const n = t[0];
      if (n === N && price <= t[1 + 3 * (N - 1)]) continue;
      let pos = n;
      while (pos > 0 && t[1 + 3 * (pos - 1)] < price) pos--;
      for (let k = n === N ? N - 1 : n; k > pos; k--) {
        const to = 1 + 3 * k;
        t[to] = t[to - 3];
        t[to + 1] = t[to - 2];
        t[to + 2] = t[to - 1];
      }
      const at = 1 + 3 * pos;
      t[at] = price;
      t[at + 1] = auction;
      t[at + 2] = timestampAt(buf, tsAt);
      if (n < N) t[0] = n + 1;
    }
  });
  const lines: string[] = [];
  for (const [bidder, t] of tops) {
    for (let r = 0; r < t[0]; r++) lines.push(`${bidder},${r + 1},${t[2 + 3 * r]},${t[1 + 3 * r]},${formatTimestamp(t[3 + 3 * r])}`);
  }
  return finalAnswer(output, 'bidder,rn,auction,price,ts', lines, first, rows);
});
