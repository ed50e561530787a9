// Several machines, simulated with network namespaces (issue 18.2): the jobmanager and three taskmanagers
// each run in a network namespace of their own whose only address is a veth's on a bridge (besides the
// namespace's own loopback, which reaches nothing of another namespace), with a Kafka broker of the test's own, started with
// the stack's scripts on the bridge's address (the shared broker binds 127.0.0.1 only). The jobmanager binds
// its namespace's address, so it needs the REST token; the taskmanagers join it with -m and the cluster
// secret, each with a cluster directory of its own (pid files and logs), reading bundles and checkpoints at
// the jobmanager's paths (a shared filesystem, as here). The click count at -p 3 runs one subtask per
// taskmanager; its exactly-once output (read_committed) equals an independent count. Needs root (ip netns).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';
import { clickInput, closingEvents, countsOf } from '../parallel/click-input.js';
import { compileFixture, jobIdOf, sluiceIn } from './helpers.js';

const ID = randomBytes(2).toString('hex');
const NET = `10.77.${100 + (parseInt(ID, 16) % 150)}`;
const BRIDGE = `slb${ID}`;
const KAFKA_PORT = 19_000 + (parseInt(ID, 16) % 900);
const BROKER = `${NET}.1:${KAFKA_PORT}`;
const JM_ADDRESS = `${NET}.10`;
const JM_URL = `http://${JM_ADDRESS}:8081`;
const NAMESPACES = ['jm', 'tm1', 'tm2', 'tm3'].map((n) => `sl-${n}-${ID}`);
const ENV = { SLUICE_REST_TOKEN: randomBytes(16).toString('hex'), SLUICE_CLUSTER_SECRET: randomBytes(16).toString('hex') };
const STACK_ENV = {
  SLUICE_STACK_DIR: tempDir('sluice-stack-'), SLUICE_STACK_HOST: `${NET}.1`, SLUICE_STACK_KAFKA_PORT: String(KAFKA_PORT),
  SLUICE_STACK_KAFKA_CONTROLLER_PORT: String(KAFKA_PORT + 1000), STACK_KAFKA_HEAP: '512m',
};
const jmDir = tempDir('sluice-jm-');
const tmDirs = [1, 2, 3].map(() => tempDir('sluice-tm-'));

function run(cmd: string, args: string[], env: Record<string, string> = {}, timeout = 180_000): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** `sluice ...` inside a namespace. */
function inNamespace(ns: string, args: string[]): string {
  return run('ip', ['netns', 'exec', ns, process.execPath, path.join(ROOT, 'bin/sluice.mjs'), ...args], { ...ENV, SLUICE_LOG_LEVEL: 'info', SLUICE_LOG_FORMAT: 'text' });
}

function setUpNetwork(): void {
  run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  run('ip', ['addr', 'add', `${NET}.1/24`, 'dev', BRIDGE]);
  run('ip', ['link', 'set', BRIDGE, 'up']);
  NAMESPACES.forEach((ns, k) => {
    const [outside, inside] = [`sva${ID}${k}`, `svb${ID}${k}`];
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    run('ip', ['link', 'set', inside, 'netns', ns]);
    run('ip', ['link', 'set', outside, 'master', BRIDGE, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${NET}.${10 + k}/24`, 'dev', inside]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up']);
    // The namespace's own loopback: a process reaching its own namespace's address goes through it.
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  });
}

function tearDownNetwork(): void {
  for (const ns of NAMESPACES) spawnSync('ip', ['netns', 'del', ns]);
  spawnSync('ip', ['link', 'del', BRIDGE]);
}

let kafka: typeof import('../kafka/helpers.js');

async function rest(p: string, method = 'GET'): Promise<any> {
  const res = await fetch(JM_URL + p, { method, headers: { authorization: `Bearer ${ENV.SLUICE_REST_TOKEN}` } });
  return res.json();
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
}

beforeAll(async () => {
  setUpNetwork();
  run('bash', ['stack/up.sh', 'kafka'], STACK_ENV, 300_000);
  // The test's own view of Kafka: the helpers read KAFKA_BOOTSTRAP when first imported.
  process.env.KAFKA_BOOTSTRAP = BROKER;
  kafka = await import('../kafka/helpers.js');
  inNamespace(NAMESPACES[0], ['cluster', 'start', '--dir', jmDir, '--rest-address', JM_ADDRESS, '--rest-port', '8081', '--taskmanagers', '0']);
  tmDirs.forEach((dir, k) => inNamespace(NAMESPACES[k + 1], ['taskmanager', 'start', '--dir', dir, '-m', JM_URL, '--slots', '1']));
}, 420_000);

afterAll(async () => {
  for (const dir of tmDirs) sluiceIn(['taskmanager', 'stop', '--all', '--dir', dir]);
  sluiceIn(['cluster', 'stop', '--dir', jmDir]);
  await kafka?.closeAdmin();
  spawnSync('bash', ['stack/down.sh', 'kafka'], { cwd: ROOT, env: { ...process.env, ...STACK_ENV }, timeout: 120_000 });
  tearDownNetwork();
  for (const dir of [jmDir, ...tmDirs, STACK_ENV.SLUICE_STACK_DIR]) fs.rmSync(dir, { recursive: true, force: true });
}, 240_000);

describe('several machines (network namespaces)', () => {
  it('three taskmanagers in their own namespaces join a jobmanager in another; the click count at -p 3 is exact', async () => {
    const { taskmanagers } = await rest('/taskmanagers');
    expect(taskmanagers).toHaveLength(3);
    // A broker just started may not yet host a new topic's partitions when asked for them: creation is retried.
    const topic = (name: string, partitions: number) => waitFor(`topic ${name}`, () => kafka.createTopic(kafka.uniqueTopic(name), partitions), 60_000);
    const input = await topic('machines-clicks', 6);
    const output = await topic('machines-counts', 2);
    const events = 6000;
    const { records, expected } = clickInput(events);
    await kafka.produce(input, [...records, ...closingEvents(events)]);
    const bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', input, '--output-topic', output, '--bootstrap.servers', BROKER]);
    const jobId = jobIdOf(sluiceIn(['run', '-d', '-p', '3', '-m', JM_URL, bundle,
      '--set', `clicks.properties.group.id=${kafka.uniqueGroup('machines')}`,
      '--set', 'click_event_statistics.sink.delivery-guarantee=exactly-once',
      '--set', `click_event_statistics.sink.transactional-id-prefix=${kafka.uniqueGroup('machines-tx')}`,
      '-D', 'execution.checkpointing.interval=500 ms'], ENV));
    await waitFor('the job running', async () => (await rest(`/jobs/${jobId}`)).state === 'RUNNING', 120_000);
    const jmLog = fs.readFileSync(path.join(jmDir, 'log', 'jobmanager.log'), 'utf8');
    expect(jmLog).toMatch(/Deploying Click Event Count \(attempt #1\) to taskmanager-1-\w+ \(subtasks 0\), taskmanager-1-\w+ \(subtasks 1\), taskmanager-1-\w+ \(subtasks 2\)/);
    for (const dir of tmDirs) expect(fs.readFileSync(path.join(dir, 'log', 'taskmanager-1.log'), 'utf8')).toMatch(new RegExp(`Received task Click Event Count \\(${jobId}\\), attempt #1`));

    const got = await kafka.readTopic(output, { count: expected.length, readCommitted: true, timeoutMs: 180_000 });
    expect(countsOf(got.map((r) => r.value))).toEqual(expected);
    expect((await rest(`/jobs/${jobId}/checkpoints`)).counts.completed).toBeGreaterThan(0);

    expect(sluiceIn(['cancel', '-m', JM_URL, jobId], ENV).status).toBe(0);
    await waitFor('the job cancelled', async () => (await rest(`/jobs/${jobId}`)).state === 'CANCELED', 60_000);
  }, 420_000);
});
