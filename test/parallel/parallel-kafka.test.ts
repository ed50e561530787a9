// The operations playground's click count (jobs/click-event-count.ts, --event-time), unchanged, reading a
// 6-partition topic on the real broker as parallel subtasks (partitions as splits, a watermark per partition)
// and writing the output topic per subtask: at -p 1, 2 and 3 the counts per page and window equal an
// independent count of the input.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { closeAdmin, createTopic, produce, readTopic, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { tempDir } from '../helpers/tables.js';

const T0 = Date.UTC(2026, 0, 1, 8);
const PAGES = ['/help', '/index', '/shop', '/jobs', '/about', '/news'];
const EVENTS = 6000;

let input: string;
const expected: string[] = [];

beforeAll(async () => {
  input = await createTopic(uniqueTopic('par-clicks'), 6);
  // Event i at T0 + 50·i ms on partition i mod 6: each partition in time order, so no event is late.
  const counts = new Map<string, number>();
  const records = Array.from({ length: EVENTS }, (_, i) => {
    const ts = T0 + 50 * i;
    const page = PAGES[(i * 7) % PAGES.length];
    const start = ts - (ts % 15_000);
    const key = `${formatTimestamp(start)}|${formatTimestamp(start + 15_000)}|${page}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return { value: JSON.stringify({ timestamp: formatTimestamp(ts), page }), partition: i % 6 };
  });
  await produce(input, records);
  for (const [k, c] of counts) expected.push(`${k}|${c}`);
  expected.sort();
}, 60_000);

afterAll(() => closeAdmin());

describe('click event count on 6 partitions as parallel subtasks', () => {
  it.each([1, 2, 3])('-p %i: counts per page and 15 s window equal an independent count', async (p) => {
    const output = await createTopic(uniqueTopic(`par-counts-p${p}`), 2);
    const args = ['--event-time', '--input-topic', input, '--output-topic', output];
    const file = path.join(tempDir(), 'click-count.mjs');
    await compileJob('jobs/click-event-count.ts', { args, out: file });
    const { job } = (await import(pathToFileURL(file).href)) as { job: CompiledBundle };
    // Bounded at the offsets the topic has now: the job ends (windows fire) once every partition is read.
    await runCompiled(job, { parallelism: p, bundle: async () => file, sets: ['clicks.scan.bounded.mode=latest-offset', `clicks.properties.group.id=${uniqueGroup('par-clicks')}`] });
    const rows = (await readTopic(output, { count: expected.length })).map((r) => {
      const v = JSON.parse(r.value!) as { windowStart: string; windowEnd: string; page: string; count: number };
      return `${v.windowStart}|${v.windowEnd}|${v.page}|${v.count}`;
    });
    expect(rows.sort()).toEqual(expected);
  }, 180_000);
});
