// A job spread over taskmanagers (issue 18.2): the click count at -p 3 in a cluster of 3 taskmanagers with
// one slot each runs one subtask per taskmanager; the hash exchange between them goes through the job's
// internal Kafka topic, checkpoints are taken across the three processes (control topic), the exactly-once
// output (read_committed) equals an independent count, and the internal topics go with the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalTopics } from '../../runtime/exec/parallel/kafka-transport.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';
import { admin, closeAdmin, createTopic, produce, readTopic, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { clickInput, closingEvents, countsOf } from './click-input.js';

const EVENTS = 6000;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ slots: 1, args: ['--taskmanagers', '3'] });
}, 120_000);

afterAll(async () => {
  cluster?.stop();
  await closeAdmin();
});

describe('subtasks spread over taskmanagers', () => {
  it('-p 3 over 3 taskmanagers of 1 slot: one subtask each, exchange through Kafka, exact exactly-once counts', async () => {
    const input = await createTopic(uniqueTopic('spread-clicks'), 6);
    const output = await createTopic(uniqueTopic('spread-counts'), 2);
    const { records, expected } = clickInput(EVENTS);
    await produce(input, [...records, ...closingEvents(EVENTS)]);
    const bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', input, '--output-topic', output]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', '-p', '3', bundle,
      '--set', `clicks.properties.group.id=${uniqueGroup('spread')}`,
      '--set', 'click_event_statistics.sink.delivery-guarantee=exactly-once',
      '--set', `click_event_statistics.sink.transactional-id-prefix=${uniqueGroup('spread-tx')}`,
      '-D', 'execution.checkpointing.interval=500 ms']));
    await cluster.waitForState(jobId, 'RUNNING', 90_000);
    const log = cluster.log('jobmanager');
    expect(log).toMatch(new RegExp(`Deploying Click Event Count \\(attempt #1\\) to taskmanager-\\d-\\w+ \\(subtasks 0\\), taskmanager-\\d-\\w+ \\(subtasks 1\\), taskmanager-\\d-\\w+ \\(subtasks 2\\)`));
    const tms = (await cluster.rest('GET', '/taskmanagers')).json.taskmanagers;
    expect(tms.map((t: { freeSlots: number }) => t.freeSlots)).toEqual([0, 0, 0]);
    const topics = internalTopics(jobId, 3);
    expect(await (await admin()).listTopics()).toEqual(expect.arrayContaining([topics.exchange, topics.control]));

    // Only committed output is read: it appears once checkpoints completed across the three processes.
    const got = await readTopic(output, { count: expected.length, readCommitted: true, timeoutMs: 120_000 });
    expect(countsOf(got.map((r) => r.value))).toEqual(expected);
    expect((await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json.counts.completed).toBeGreaterThan(0);
    // Each subtask counted its share of the keys: the taskmanagers' subtasks all did work.
    for (const i of [1, 2, 3]) expect(cluster.log(`taskmanager-${i}`)).toMatch(new RegExp(`Received task Click Event Count \\(${jobId}\\), attempt #1`));

    expect(cluster.sluice(['cancel', jobId]).status).toBe(0);
    await cluster.waitForState(jobId, 'CANCELED', 60_000);
    await cluster.waitFor('the internal topics deleted', async () => !(await (await admin()).listTopics()).includes(topics.exchange), 30_000);
    await cluster.waitFor('the slots free again', async () => (await cluster.rest('GET', '/taskmanagers')).json.taskmanagers.every((t: { freeSlots: number }) => t.freeSlots === 1));
  }, 300_000);

  it('a bounded run spread over the 3 taskmanagers ends FINISHED with the exact counts (its hosts end first, without failing it)', async () => {
    const input = await createTopic(uniqueTopic('spread-bounded'), 6);
    const output = await createTopic(uniqueTopic('spread-bounded-counts'), 2);
    const { records, expected } = clickInput(EVENTS);
    await produce(input, records);
    const bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', input, '--output-topic', output]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', '-p', '3', bundle,
      '--set', 'clicks.scan.bounded.mode=latest-offset', '--set', `clicks.properties.group.id=${uniqueGroup('spread-bounded')}`]));
    const job = await cluster.waitForState(jobId, 'FINISHED', 180_000);
    expect(job.exceptions ?? []).toEqual([]);
    expect((await cluster.rest('GET', `/jobs/${jobId}/exceptions`)).json.exceptionHistory.entries).toEqual([]);
    expect(countsOf((await readTopic(output, { count: expected.length })).map((r) => r.value))).toEqual(expected);
    await cluster.waitFor('the slots free again', async () => (await cluster.rest('GET', '/taskmanagers')).json.taskmanagers.every((t: { freeSlots: number }) => t.freeSlots === 1));
  }, 300_000);
});
