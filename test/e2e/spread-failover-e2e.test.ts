// Issue 18.7(b) for the spend report (into MySQL) and the payments job (into Elasticsearch), as
// test/parallel/spread-failover.test.ts proves it for the click count: both jobs at -p 3 in one cluster of 3
// taskmanagers with 2 slots each (each job's subtasks spread over taskmanagers, exchanges through Kafka), kill -9
// of random taskmanagers and of the jobmanager several times while the input arrives on 6-partition topics, each
// killed process brought back as a user does it (test/parallel/kill-rounds.ts). Afterwards every row of the MySQL
// table equals the hourly sum per account and every Elasticsearch document the pay amount per province, as
// computed from the records written (test/parallel/playground-input.ts), and both stay so once the jobs run on
// with a checkpoint after the last restore (a replay doubles nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, jobIdOf } from '../cluster/helpers.js';
import { closeAdmin, createTopic, produce, sleep, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { KillRounds } from '../parallel/kill-rounds.js';
import { paymentIndex, paymentInput, sorted, spendInput, spendTable } from '../parallel/playground-input.js';

const EVENTS = 12_000;
const CHUNKS = 24;
const ROUNDS = 4;
const RUN = ['-D', 'execution.checkpointing.interval=500 ms',
  '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=1000', '-D', 'restart-strategy.fixed-delay.delay=300 ms'];
let kills: KillRounds;

beforeAll(async () => {
  // Two slots per taskmanager: the two jobs take all six, each spread over at least two taskmanagers.
  kills = await KillRounds.start(2);
}, 120_000);

afterAll(async () => {
  kills?.cluster.stop();
  await closeAdmin();
});

/** Polls `read` until it equals `expected` (or the time is up), then compares once more, so a failure shows the difference. */
async function settled(read: () => Promise<Map<string, number>>, expected: Map<string, number>, timeoutMs: number, message: string): Promise<void> {
  const want = JSON.stringify(sorted(expected));
  await kills.cluster.waitFor('the expected results', async () => JSON.stringify(sorted(await read())) === want, timeoutMs).catch(() => {});
  expect(sorted(await read()), message).toEqual(sorted(expected));
}

describe('kill -9 over taskmanagers and the jobmanager, playground jobs spread, into MySQL and Elasticsearch', () => {
  it(`both jobs at -p 3 over 3 taskmanagers, ${ROUNDS} kills of random processes: exact spend report and province sums`, async () => {
    const txTopic = await createTopic(uniqueTopic('spread-kill-tx'), 6);
    const payTopic = await createTopic(uniqueTopic('spread-kill-pay'), 6);
    const spend = spendInput(EVENTS);
    const pay = paymentInput(EVENTS);
    const table = await spendTable();
    const index = paymentIndex('spread_kill_pay');
    try {
      const spendJob = jobIdOf(kills.cluster.sluice(['run', '-d', '-p', '3', compileFixture('jobs/spend-report.ts', ['--topic', txTopic]),
        '--set', `spend_report.table-name=${table.name}`, '--set', `transactions.properties.group.id=${uniqueGroup('spread-kill-spend')}`, ...RUN]));
      const payJob = jobIdOf(kills.cluster.sluice(['run', '-d', '-p', '3', compileFixture('jobs/payment-msg-processing.ts', ['--topic', payTopic]),
        '--set', `es_sink.index=${index.name}`, '--set', 'payment_msg.scan.startup.mode=earliest-offset',
        '--set', `payment_msg.properties.group.id=${uniqueGroup('spread-kill-pay')}`, ...RUN]));
      const jobs = [spendJob, payJob];

      // The input arrives in chunks while processes die.
      const size = EVENTS / CHUNKS;
      const feeding = (async () => {
        for (let c = 0; c < CHUNKS; c++) {
          await produce(txTopic, spend.records.slice(c * size, (c + 1) * size));
          await produce(payTopic, pay.records.slice(c * size, (c + 1) * size));
          await sleep(1000);
        }
      })();

      await kills.run(jobs, ROUNDS);
      await feeding;
      const why = `killed ${kills.killed.join(', ')}`;
      await settled(table.read, spend.expected, 240_000, `spend report, ${why}`);
      await settled(index.read, pay.expected, 240_000, `payments, ${why}`);
      // The last kill's restore writes nothing twice: once both run on with a checkpoint behind them, the results are the same.
      await kills.checkpointed(jobs);
      expect(sorted(await table.read()), why).toEqual(sorted(spend.expected));
      expect(sorted(await index.read()), why).toEqual(sorted(pay.expected));
      const log = kills.cluster.log('jobmanager');
      expect(log).toMatch(new RegExp(`Recovered job Spend Report \\(${spendJob}\\) from the job store`));
      expect(log).toMatch(new RegExp(`Recovered job Payment Msg Processing \\(${payJob}\\) from the job store`));
      for (const id of jobs) expect(kills.cluster.sluice(['cancel', id]).status).toBe(0);
    } finally {
      await table.drop();
      await index.drop();
    }
  }, 900_000);
});
