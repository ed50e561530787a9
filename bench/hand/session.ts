// Hand-written session windows: COUNT(*) and SUM(price) per bidder and session (10 s gap), on event time
// (watermark = largest timestamp - 1 s). Sessions of a bidder are a short list (usually one) merged as bids
// arrive, out of order too; every 1024 bids the sessions the watermark has passed are written and dropped.
import { formatTimestamp, writeAnswer } from '../lib/capture.js';
import { forEachChunk, handMain, intField, next, timestampAt } from './hand-loop.js';

const GAP = 10_000;
const DELAY = 1_000;
const FIRE_EVERY = 1024;

interface Session { start: number; end: number; count: number; total: number }

handMain('session', (input, output) => {
  const open = new Map<number, Session[]>();
  const lines: string[] = [];
  let first = -1;
  let rows = 0;
  let wm = -Infinity;
  let maxTs = -Infinity;
  let minEnd = Infinity;

  const fire = () => {
    if (wm < minEnd - 1) return;
    minEnd = Infinity;
    for (const [bidder, list] of open) {
      for (let k = 0; k < list.length; k++) {
        const s = list[k];
        if (s.end - 1 > wm) { if (s.end < minEnd) minEnd = s.end; continue; }
        lines.push(`${bidder},${formatTimestamp(s.start)},${formatTimestamp(s.end)},${s.count},${s.total}`);
        list.splice(k--, 1);
        if (first < 0) first = Date.now();
      }
      if (list.length === 0) open.delete(bidder);
    }
  };

  forEachChunk(input, (buf, end) => {
    let i = 0;
    while (i < end) {
      intField(buf, i); // auction
      const bidder = intField(buf, next);
      const price = intField(buf, next);
      const ts = timestampAt(buf, next);
      i = next + 24;
      if (ts > maxTs) { maxTs = ts; wm = maxTs - DELAY; }
      if (++rows % FIRE_EVERY === 0) fire();
      // Merge [ts, ts + GAP) with every session of this bidder it overlaps.
      const list = open.get(bidder);
      let into: Session | undefined;
      if (list !== undefined) {
        for (let k = 0; k < list.length; k++) {
          const s = list[k];
          if (s.start > ts + GAP || s.end < ts) continue;
          if (into === undefined) {
            into = s;
            if (ts < s.start) s.start = ts;
            if (ts + GAP > s.end) s.end = ts + GAP;
          } else {
            into.start = Math.min(into.start, s.start);
            into.end = Math.max(into.end, s.end);
            into.count += s.count;
            into.total += s.total;
            list.splice(k--, 1);
          }
        }
      }
      if (into === undefined) {
        if (ts + GAP - 1 <= wm) continue; // late: its session would already have fired
        into = { start: ts, end: ts + GAP, count: 0, total: 0 };
        if (list === undefined) open.set(bidder, [into]);
        else list.push(into);
      }
      if (into.end < minEnd) minEnd = into.end;
      into.count++;
      into.total += price;
    }
  });
  wm = Infinity;
  fire();
  writeAnswer(output, 'bidder,window_start,window_end,cnt,total', lines, { mode: 'append', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: lines.length });
  return { firstResultEpochMs: first, rowsRead: rows };
});
