// Hand-written q2 (filter): bids whose auction is a multiple of 123; reads auction and price only.
import { Checksum, writeAnswer } from '../lib/capture.js';
import { forEachChunk, handMain, intField, next, skipField } from './hand-loop.js';

handMain('q2', (input, output) => {
  const cs = new Checksum([{ name: 'auction', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' }]);
  const [auction, price] = [cs.sum(0), cs.sum(1)];
  let first = -1;
  let rows = 0;
  forEachChunk(input, (buf, end) => {
    let i = 0;
    while (i < end) {
      const a = intField(buf, i);
      const p = intField(buf, skipField(buf, next));
      i = next + 24; // the timestamp and its line end
      rows++;
      if (a % 123 !== 0) continue;
      if (first < 0) first = Date.now();
      auction.add(a);
      price.add(p);
      cs.count++;
    }
  });
  writeAnswer(output, cs.header(), [cs.line()], { mode: 'checksum', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: cs.count });
  return { firstResultEpochMs: first, rowsRead: rows };
});
