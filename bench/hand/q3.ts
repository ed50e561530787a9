// Hand-written Nexmark q3: the auctions of category 10 whose seller lives in OR, ID or CA, with the seller's
// name, city and state, into the checksum. A symmetric hash join as the engines' regular join (auctions and
// persons read a piece of each in turn); each side's condition is applied before a row is kept: auction ids per
// seller, persons per id, numeric keys. The auctions' timestamps are not read (nothing in the answer needs them).
import { Checksum } from '../lib/capture.js';
import { siblingInput } from '../lib/workloads.js';
import { checksumAnswer, forEachPerson, handMain, interleaveChunks, intField, next, skipField, type Person } from './hand-loop.js';

const STATES = new Set(['OR', 'ID', 'CA']);

handMain('q3', (input, output) => {
  const cs = new Checksum([{ name: 'name', type: 'STRING' }, { name: 'city', type: 'STRING' }, { name: 'state', type: 'STRING' }, { name: 'id', type: 'BIGINT' }]);
  const [sName, sCity, sState, sId] = [0, 1, 2, 3].map((i) => cs.sum(i));
  const persons = new Map<number, Person[]>();
  const auctions = new Map<number, number[]>();
  let first = -1;
  let rows = 0;
  const emit = (p: Person, id: number) => {
    if (first < 0) first = Date.now();
    cs.count++;
    sName.add(p.name.length);
    sCity.add(p.city.length);
    sState.add(p.state.length);
    sId.add(id);
  };
  interleaveChunks([input, siblingInput(input, 'persons')], [
    (buf, end) => {
      let i = 0;
      while (i < end) {
        const id = intField(buf, i);
        const seller = intField(buf, next);
        const category = intField(buf, next);
        i = skipField(buf, next) + 24; // reserve, then the timestamp and its line end
        rows++;
        if (category !== 10) continue;
        const ps = persons.get(seller);
        if (ps !== undefined) for (let k = 0; k < ps.length; k++) emit(ps[k], id);
        const kept = auctions.get(seller);
        if (kept === undefined) auctions.set(seller, [id]);
        else kept.push(id);
      }
    },
    (buf, end) => forEachPerson(buf, end, (p) => {
      if (!STATES.has(p.state)) return;
      const kept = auctions.get(p.id);
      if (kept !== undefined) for (let k = 0; k < kept.length; k++) emit(p, kept[k]);
      const ps = persons.get(p.id);
      if (ps === undefined) persons.set(p.id, [p]);
      else ps.push(p);
    }),
  ]);
  return checksumAnswer(output, cs, first, rows);
});
