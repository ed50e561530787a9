// Hand-written q1 (projection with arithmetic): price * 908 / 1000 truncated, then the checksum as in q0.
import { Checksum, writeAnswer } from '../lib/capture.js';
import { forEachChunk, handMain, intField, next, timestampAt } from './hand-loop.js';

handMain('q1', (input, output) => {
  const cs = new Checksum([{ name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }]);
  const [auction, bidder, price, ts] = [0, 1, 2, 3].map((i) => cs.sum(i));
  let first = -1;
  forEachChunk(input, (buf, end) => {
    if (first < 0) first = Date.now();
    let i = 0;
    while (i < end) {
      auction.add(intField(buf, i));
      bidder.add(intField(buf, next));
      price.add(Math.trunc((intField(buf, next) * 908) / 1000));
      ts.add(timestampAt(buf, next));
      i = next + 24;
      cs.count++;
    }
  });
  writeAnswer(output, cs.header(), [cs.line()], { mode: 'checksum', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: cs.count });
  return { firstResultEpochMs: first, rowsRead: cs.count };
});
