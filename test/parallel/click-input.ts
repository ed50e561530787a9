// The click count's input for the parallel tests: event i at T0 + 50·i ms on partition i mod 6, so every
// partition is in time order and no event is late, with the counts per window and page computed here,
// independently of the job (`windowStart|windowEnd|page|count`, sorted).
import { formatTimestamp } from '../../runtime/core/values.js';
import type { RawRecord } from '../kafka/helpers.js';

export const T0 = Date.UTC(2026, 0, 1, 8);
const PAGES = ['/help', '/index', '/shop', '/jobs', '/about', '/news'];

export function clickInput(events: number, partitions = 6): { records: RawRecord[]; expected: string[] } {
  const counts = new Map<string, number>();
  const records = Array.from({ length: events }, (_, i) => {
    const ts = T0 + 50 * i;
    const page = PAGES[(i * 7) % PAGES.length];
    const start = ts - (ts % 15_000);
    const key = `${formatTimestamp(start)}|${formatTimestamp(start + 15_000)}|${page}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return { value: JSON.stringify({ timestamp: formatTimestamp(ts), page }), partition: i % partitions };
  });
  return { records, expected: [...counts].map(([k, c]) => `${k}|${c}`).sort() };
}

/** One event per partition a minute after the input: every partition's watermark passes all its windows. */
export function closingEvents(events: number, partitions = 6): RawRecord[] {
  const ts = T0 + 50 * events + 60_000;
  return Array.from({ length: partitions }, (_, p) => ({ value: JSON.stringify({ timestamp: formatTimestamp(ts), page: '/closing' }), partition: p }));
}

/** The job's output records as `windowStart|windowEnd|page|count`, sorted. */
export function countsOf(values: (string | null)[]): string[] {
  return values.map((v) => {
    const r = JSON.parse(v!) as { windowStart: string; windowEnd: string; page: string; count: number };
    return `${r.windowStart}|${r.windowEnd}|${r.page}|${r.count}`;
  }).sort();
}
