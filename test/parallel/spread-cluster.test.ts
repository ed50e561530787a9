// A job spread over taskmanagers (issue 18.2): the click count at -p 3 in a cluster of 3 taskmanagers with
// one slot each runs one subtask per taskmanager; the hash exchange between them goes through the job's
// internal Kafka topic, checkpoints are taken across the three processes (control topic), the exactly-once
// output (read_committed) equals an independent count; completed checkpoints trim the internal topics, and they
// go with the job, also when a restarted jobmanager ends it (they are kept in the job store).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalTopics } from '../../runtime/exec/parallel/kafka-transport.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';
import { admin, closeAdmin, createTopic, kafka, produce, readTopic, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
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
    // Completed checkpoints trim the internal topics (TopicReader.trim): every partition written across processes
    // (the exchange's three; the control topic's requests to subtasks 1 and 2 and its answers, partition 3) has lost
    // its head (retention alone keeps a day's records).
    // (An admin of its own: the shared one would keep asking for the topics' metadata once they are deleted.)
    const own = kafka.admin();
    await own.connect();
    try {
      const lows = async (topic: string) => new Map((await own.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.low)]));
      await cluster.waitFor('the internal topics trimmed', async () => {
        const [x, c] = [await lows(topics.exchange), await lows(topics.control)];
        return [0, 1, 2].every((i) => x.get(i)! > 0) && [1, 2, 3].every((i) => c.get(i)! > 0);
      }, 30_000);
    } finally {
      await own.disconnect();
    }
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

  // Last: it kills the cluster and leaves a jobmanager alone.
  it('a jobmanager restarted after kill -9 deletes the internal topics (both parallelisms of a rescaled job) of a job it cancels before deploying it again', async () => {
    const input = await createTopic(uniqueTopic('spread-jm'), 6);
    const output = await createTopic(uniqueTopic('spread-jm-counts'), 2);
    await produce(input, clickInput(600).records);
    const bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', input, '--output-topic', output]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', '-p', '3', bundle, '--set', `clicks.properties.group.id=${uniqueGroup('spread-jm')}`]));
    await cluster.waitForState(jobId, 'RUNNING', 90_000);
    // Rescaled to 2 (REST, the adaptive scheduler's way): still spread, with topics of its own parallelism.
    const vertices = Object.keys((await cluster.rest('GET', `/jobs/${jobId}/resource-requirements`)).json);
    const put = await cluster.rest('PUT', `/jobs/${jobId}/resource-requirements`, Object.fromEntries(vertices.map((v) => [v, { parallelism: { lowerBound: 1, upperBound: 2 } }])));
    expect(put.status, put.text).toBe(200);
    await cluster.waitFor('the rescale', async () => new RegExp(`Rescaling job ${jobId} from parallelism 3 to 2`).test(cluster.log('jobmanager')), 60_000);
    await cluster.waitForState(jobId, 'RUNNING', 90_000);
    const names = [3, 2].flatMap((p) => Object.values(internalTopics(jobId, p)));
    const existing = async () => { const all = await (await admin()).listTopics(); return names.filter((t) => all.includes(t)); };
    expect(await existing()).toEqual(names);
    // The whole cluster dies and only the jobmanager comes back: the job is recovered but not deployed (spread) again,
    // so only the job store knows about its topics.
    for (const name of ['jobmanager', 'taskmanager-1', 'taskmanager-2', 'taskmanager-3']) process.kill(cluster.pid(name), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    cluster = await TestCluster.start({ dir: cluster.dir, args: ['--taskmanagers', '0'] });
    await cluster.waitForState(jobId, 'RESTARTING', 30_000);
    expect(cluster.sluice(['cancel', jobId]).status).toBe(0);
    await cluster.waitForState(jobId, 'CANCELED', 30_000);
    await cluster.waitFor('the internal topics deleted', async () => (await existing()).length === 0, 30_000);
    const status = () => JSON.parse(fs.readFileSync(path.join(cluster.dir, 'jobs', jobId, 'status.json'), 'utf8')) as { internalTopics: unknown };
    await cluster.waitFor('the status without internal topics', async () => status().internalTopics === null, 10_000);
  }, 240_000);
});
