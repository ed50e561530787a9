// Issue 18.7(b) for the click count: at -p 3 over 3 taskmanagers of one slot (one subtask each, exchanges
// through Kafka), kill -9 of random taskmanagers and of the jobmanager, several times in one run, while the
// input keeps arriving; a killed taskmanager is started again, a killed jobmanager comes back with
// `cluster start` (its taskmanagers rejoin it; kill-rounds.ts). Afterwards the exactly-once output,
// read_committed, holds every window's count per page exactly once, equal to an independent count of the input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFixture, jobIdOf } from '../cluster/helpers.js';
import { closeAdmin, createTopic, produce, readTopic, sleep, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { clickInput, closingEvents, countsOf } from './click-input.js';
import { KillRounds } from './kill-rounds.js';

const EVENTS = 24_000;
const CHUNKS = 24;
const ROUNDS = 4;
let kills: KillRounds;

beforeAll(async () => {
  kills = await KillRounds.start(1);
}, 120_000);

afterAll(async () => {
  kills?.cluster.stop();
  await closeAdmin();
});

describe('kill -9 over taskmanagers and the jobmanager, subtasks spread', () => {
  it(`-p 3 over 3 taskmanagers, ${ROUNDS} kills of random processes: exact click counts per page and window`, async () => {
    const input = await createTopic(uniqueTopic('spread-kill-clicks'), 6);
    const output = await createTopic(uniqueTopic('spread-kill-counts'), 2);
    const { records, expected } = clickInput(EVENTS);
    const bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', input, '--output-topic', output]);
    const jobId = jobIdOf(kills.cluster.sluice(['run', '-d', '-p', '3', bundle,
      '--set', `clicks.properties.group.id=${uniqueGroup('spread-kill')}`,
      '--set', 'click_event_statistics.sink.delivery-guarantee=exactly-once',
      '--set', `click_event_statistics.sink.transactional-id-prefix=${uniqueGroup('spread-kill-tx')}`,
      '-D', 'execution.checkpointing.interval=500 ms',
      '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=1000', '-D', 'restart-strategy.fixed-delay.delay=300 ms']));

    // The input arrives in chunks while processes die.
    const size = EVENTS / CHUNKS;
    const feeding = (async () => {
      for (let c = 0; c < CHUNKS; c++) {
        await produce(input, records.slice(c * size, (c + 1) * size));
        await sleep(1000);
      }
      await produce(input, closingEvents(EVENTS));
    })();

    await kills.run([jobId], ROUNDS);
    await feeding;
    const got = await readTopic(output, { count: expected.length, readCommitted: true, timeoutMs: 240_000 });
    expect(countsOf(got.map((r) => r.value)), `killed ${kills.killed.join(', ')}`).toEqual(expected);
    // The last kill's restore writes nothing twice: once it runs again with a checkpoint behind it, the output is the same.
    await kills.checkpointed([jobId]);
    const again = await readTopic(output, { count: expected.length, readCommitted: true, timeoutMs: 60_000 });
    expect(countsOf(again.map((r) => r.value))).toEqual(expected);
    expect(kills.cluster.log('jobmanager')).toMatch(new RegExp(`Recovered job Click Event Count \\(${jobId}\\) from the job store`));
  }, 900_000);
});
