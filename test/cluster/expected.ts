// The independent answer for test/cluster/fixtures/windowed-sums.ts: ids 1..rows, event time id seconds,
// per (id % 7, 10-second tumbling window) the sum of ids and the count, as the CSV lines the job writes.
import fs from 'node:fs';
import path from 'node:path';

export function expectedSums(rows: number): string[] {
  const acc = new Map<string, { k: number; start: number; total: number; cnt: number }>();
  for (let id = 1; id <= rows; id++) {
    const k = id % 7;
    const start = Math.floor((id * 1000) / 10_000) * 10_000;
    const key = `${k}|${start}`;
    const a = acc.get(key) ?? { k, start, total: 0, cnt: 0 };
    a.total += id;
    a.cnt++;
    acc.set(key, a);
  }
  const ts = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  return [...acc.values()].map((a) => `${a.k},${ts(a.start)},${a.total},${a.cnt}`).sort();
}

/** Every line of every part file in a filesystem sink's directory, sorted. */
export function readParts(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.startsWith('part-'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}
