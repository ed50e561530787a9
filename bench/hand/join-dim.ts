// Hand-written stream–dimension join: every bid with its bidder's name and state, into the checksum. A
// symmetric hash join, as the engines' regular join: the bids and persons files are read a piece of each in
// turn (neither assumed complete before the other), each row joins what the other side has kept under its key
// and is kept itself; persons by id, bids per bidder as flat numbers (auction, price, ts), numeric keys.
import { Checksum } from '../lib/capture.js';
import { siblingInput } from '../lib/workloads.js';
import { checksumAnswer, forEachPerson, handMain, interleaveChunks, intField, next, timestampAt, type Person } from './hand-loop.js';

handMain('join-dim', (input, output) => {
  const cs = new Checksum([
    { name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' },
    { name: 'name', type: 'STRING' }, { name: 'state', type: 'STRING' }, { name: 'ts', type: 'TIMESTAMP' },
  ]);
  const [sAuction, sBidder, sPrice, sName, sState, sTs] = [0, 1, 2, 3, 4, 5].map((i) => cs.sum(i));
  const persons = new Map<number, Person[]>();
  const bids = new Map<number, number[]>();
  let first = -1;
  let rows = 0;
  const emit = (auction: number, bidder: number, price: number, p: Person, ts: number) => {
    if (first < 0) first = Date.now();
    cs.count++;
    sAuction.add(auction);
    sBidder.add(bidder);
    sPrice.add(price);
    sName.add(p.name.length);
    sState.add(p.state.length);
    sTs.add(ts);
  };
  interleaveChunks([input, siblingInput(input, 'persons')], [
    (buf, end) => {
      let i = 0;
      while (i < end) {
        const auction = intField(buf, i);
        const bidder = intField(buf, next);
        const price = intField(buf, next);
        const ts = timestampAt(buf, next);
        i = next + 24;
        rows++;
        const ps = persons.get(bidder);
        if (ps !== undefined) for (let k = 0; k < ps.length; k++) emit(auction, bidder, price, ps[k], ts);
        const kept = bids.get(bidder);
        if (kept === undefined) bids.set(bidder, [auction, price, ts]);
        else kept.push(auction, price, ts);
      }
    },
    (buf, end) => forEachPerson(buf, end, (p) => {
      const kept = bids.get(p.id);
      if (kept !== undefined) for (let k = 0; k < kept.length; k += 3) emit(kept[k], p.id, kept[k + 1], p, kept[k + 2]);
      const ps = persons.get(p.id);
      if (ps === undefined) persons.set(p.id, [p]);
      else ps.push(p);
    }),
  ]);
  return checksumAnswer(output, cs, first, rows);
});
