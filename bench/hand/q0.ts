// Hand-written q0 (pass-through): every bid's four columns into the checksum (count and exact column sums).
import { Checksum, writeAnswer } from '../lib/capture.js';
import { forEachChunk, handMain, intField, next, timestampAt } from './hand-loop.js';

handMain('q0', (input, output) => {
  const cs = new Checksum([{ name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }]);
  const [auction, bidder, price, ts] = [0, 1, 2, 3].map((i) => cs.sum(i));
  let first = -1;
  forEachChunk(input, (buf, end) => {
    if (first < 0) first = Date.now();
    let i = 0;
    while (i < end) {
      auction.add(intField(buf, i));
      bidder.add(intField(buf, next));
      price.add(intField(buf, next));
      ts.add(timestampAt(buf, next));
      i = next + 24;
      cs.count++;
    }
  });
  writeAnswer(output, cs.header(), [cs.line()], { mode: 'checksum', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: cs.count });
  return { firstResultEpochMs: first, rowsRead: cs.count };
});
