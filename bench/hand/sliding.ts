// Hand-written sliding window: COUNT(*) and SUM(price) per auction MOD 10 in 15 s windows sliding by 5 s, on event
// time (watermark = largest timestamp - 1 s). Every bid lands in three windows; a window is two arrays of ten
// numbers in a ring of slots indexed by start / slide, written and cleared when the watermark passes its end.
import { formatTimestamp, writeAnswer } from '../lib/capture.js';
import { forEachChunk, handMain, intField, next, skipField, timestampAt } from './hand-loop.js';

const SIZE = 15_000;
const SLIDE = 5_000;
const DELAY = 1_000;
const BUCKETS = 10;
const SLOTS = 16;

handMain('sliding', (input, output) => {
  // Slot k % SLOTS holds the window starting at k * SLIDE; tag[slot] says which k (NaN: free).
  const tag = new Float64Array(SLOTS).fill(NaN);
  const counts = new Float64Array(SLOTS * BUCKETS);
  const totals = new Float64Array(SLOTS * BUCKETS);
  const lines: string[] = [];
  let first = -1;
  let rows = 0;
  let wm = -Infinity;
  let maxTs = -Infinity;
  let oldest = Infinity; // smallest k in use

  const fire = () => {
    while (oldest < Infinity && oldest * SLIDE + SIZE - 1 <= wm) {
      const slot = ((oldest % SLOTS) + SLOTS) % SLOTS;
      if (tag[slot] === oldest) {
        const start = oldest * SLIDE;
        for (let b = 0; b < BUCKETS; b++) {
          const c = counts[slot * BUCKETS + b];
          if (c > 0) lines.push(`${formatTimestamp(start)},${formatTimestamp(start + SIZE)},${b},${c},${totals[slot * BUCKETS + b]}`);
        }
        counts.fill(0, slot * BUCKETS, slot * BUCKETS + BUCKETS);
        totals.fill(0, slot * BUCKETS, slot * BUCKETS + BUCKETS);
        tag[slot] = NaN;
        if (first < 0) first = Date.now();
      }
      oldest++;
      let open = false;
      for (let s = 0; s < SLOTS; s++) if (tag[s] === tag[s]) { open = true; break; }
      if (!open) oldest = Infinity;
    }
  };

  forEachChunk(input, (buf, end) => {
    let i = 0;
    while (i < end) {
      const auction = intField(buf, i);
      const price = intField(buf, skipField(buf, next));
      const ts = timestampAt(buf, next);
      i = next + 24;
      rows++;
      if (ts > maxTs) {
        maxTs = ts;
        wm = maxTs - DELAY;
        fire();
      }
      const bucket = auction % BUCKETS;
      for (let k = Math.floor(ts / SLIDE); k * SLIDE > ts - SIZE; k--) {
        if (k * SLIDE + SIZE - 1 <= wm) continue; // this window has fired: late for it
        const slot = ((k % SLOTS) + SLOTS) % SLOTS;
        if (tag[slot] !== k) {
          if (tag[slot] === tag[slot]) throw new Error('window ring too small for this disorder');
          tag[slot] = k;
          if (k < oldest) oldest = k;
        }
        counts[slot * BUCKETS + bucket]++;
        totals[slot * BUCKETS + bucket] += price;
      }
    }
  });
  wm = Infinity;
  fire();
  writeAnswer(output, 'window_start,window_end,bucket,cnt,total', lines, { mode: 'append', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: lines.length });
  return { firstResultEpochMs: first, rowsRead: rows };
});
