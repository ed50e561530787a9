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
import { closeAdmin, createTopic, produce, readTopic, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { tempDir } from '../helpers/tables.js';
import { clickInput, countsOf } from './click-input.js';

const EVENTS = 6000;

let input: string;
let expected: string[] = [];

beforeAll(async () => {
  input = await createTopic(uniqueTopic('par-clicks'), 6);
  const generated = clickInput(EVENTS);
  await produce(input, generated.records);
  expected = generated.expected;
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
    await runCompiled(job, { parallelism: p, bundle: file, sets: ['clicks.scan.bounded.mode=latest-offset', `clicks.properties.group.id=${uniqueGroup('par-clicks')}`] });
    expect(countsOf((await readTopic(output, { count: expected.length })).map((r) => r.value))).toEqual(expected);
  }, 180_000);
});
