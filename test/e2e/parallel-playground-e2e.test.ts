// Issue 18.7(a) for the two other playground pipelines, as test/parallel/parallel-kafka.test.ts does it for
// the click count: the unchanged job files read a 6-partition topic on the real broker as 1, 2 and 3 parallel
// subtasks (bounded at the offsets the topic has, so each run ends) and write through their real sinks; the
// spend report's MySQL table and the payments job's Elasticsearch documents equal an independent computation
// over the records written (test/parallel/playground-input.ts, whose payment amounts sum exactly in any order).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import { tempDir } from '../helpers/tables.js';
import { closeAdmin, createTopic, produce, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { paymentIndex, paymentInput, sorted, spendInput, spendTable } from '../parallel/playground-input.js';

/** Compiles a job file with its arguments into a bundle (parallel subtasks import it). */
async function bundle(file: string, args: string[]): Promise<{ job: CompiledBundle; file: string }> {
  const out = path.join(tempDir(), `${path.basename(file, '.ts')}.mjs`);
  await compileJob(file, { args, out });
  return { job: ((await import(pathToFileURL(out).href)) as { job: CompiledBundle }).job, file: out };
}

afterAll(() => closeAdmin());

describe('spend report on 6 partitions as parallel subtasks, into MySQL', () => {
  let topic: string;
  const { records, expected } = spendInput(6000);

  beforeAll(async () => {
    topic = await createTopic(uniqueTopic('par-transactions'), 6);
    await produce(topic, records);
  }, 60_000);

  it.each([1, 2, 3])('-p %i: the table equals the hourly sums per account', async (p) => {
    const table = await spendTable();
    try {
      const { job, file } = await bundle('jobs/spend-report.ts', ['--topic', topic]);
      await runCompiled(job, { parallelism: p, bundle: file, sets: [
        `spend_report.table-name=${table.name}`, 'transactions.scan.bounded.mode=latest-offset', `transactions.properties.group.id=${uniqueGroup('par-spend')}`,
      ] });
      expect(sorted(await table.read())).toEqual(sorted(expected));
    } finally {
      await table.drop();
    }
  }, 180_000);
});

describe('payments on 6 partitions as parallel subtasks, into Elasticsearch', () => {
  let topic: string;
  const { records, expected } = paymentInput(6000);

  beforeAll(async () => {
    topic = await createTopic(uniqueTopic('par-payments'), 6);
    await produce(topic, records);
  }, 60_000);

  it.each([1, 2, 3])('-p %i: the documents equal the pay amount per province', async (p) => {
    const index = paymentIndex('par_pay');
    try {
      const { job, file } = await bundle('jobs/payment-msg-processing.ts', ['--topic', topic]);
      await runCompiled(job, { parallelism: p, bundle: file, sets: [
        `es_sink.index=${index.name}`, 'payment_msg.scan.startup.mode=earliest-offset', 'payment_msg.scan.bounded.mode=latest-offset',
        `payment_msg.properties.group.id=${uniqueGroup('par-pay')}`,
      ] });
      expect(sorted(await index.read())).toEqual(sorted(expected));
    } finally {
      await index.drop();
    }
  }, 180_000);
});
