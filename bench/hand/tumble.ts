// Hand-written click count: COUNT(*) per page in 15 s tumbling windows on event time, watermark = largest
// timestamp - 1 s; a window is written when the watermark passes its end (then forgotten), as the engines do.
// Pages get small ids; a window is an array of counts indexed by page id.
import { formatTimestamp, writeAnswer } from '../lib/capture.js';
import { commaFrom, forEachChunk, handMain, Interner, timestampAt } from './hand-loop.js';

const SIZE = 15_000;
const DELAY = 1_000;

handMain('tumble', (input, output) => {
  const pages = new Interner();
  const windows = new Map<number, number[]>();
  const lines: string[] = [];
  let first = -1;
  let rows = 0;
  let wm = -Infinity;
  let maxTs = -Infinity;
  let oldestEnd = Infinity;
  let lastStart = NaN;
  let last: number[] = [];

  const fire = () => {
    oldestEnd = Infinity;
    for (const [start, counts] of windows) {
      if (start + SIZE - 1 > wm) { oldestEnd = Math.min(oldestEnd, start + SIZE); continue; }
      for (let p = 0; p < counts.length; p++) if (counts[p] > 0) lines.push(`${formatTimestamp(start)},${pages.names[p]},${counts[p]}`);
      windows.delete(start);
      if (first < 0) first = Date.now();
    }
    lastStart = NaN;
  };

  forEachChunk(input, (buf, end) => {
    let i = 0;
    while (i < end) {
      const comma = commaFrom(buf, i);
      const page = pages.id(buf, i, comma);
      const ts = timestampAt(buf, comma + 1);
      i = comma + 25;
      rows++;
      if (ts > maxTs) {
        maxTs = ts;
        wm = maxTs - DELAY;
        if (wm >= oldestEnd - 1) fire();
      }
      const start = ts - (((ts % SIZE) + SIZE) % SIZE);
      if (start + SIZE - 1 <= wm) continue; // late: its window has fired
      if (start !== lastStart) {
        let w = windows.get(start);
        if (w === undefined) { windows.set(start, (w = [])); oldestEnd = Math.min(oldestEnd, start + SIZE); }
        lastStart = start;
        last = w;
      }
      while (last.length <= page) last.push(0);
      last[page]++;
    }
  });
  wm = Infinity;
  fire();
  writeAnswer(output, 'window_start,page,cnt', lines, { mode: 'append', firstRecordEpochMs: first, lastRecordEpochMs: Date.now(), records: lines.length });
  return { firstResultEpochMs: first, rowsRead: rows };
});
