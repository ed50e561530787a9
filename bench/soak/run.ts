// Soak and chaos (issue 13.8), not in CI: the three playground pipelines run in a session cluster of their own
// for an hour (--minutes) at a fixed rate with a checkpoint every second, while a random process of the cluster
// (the taskmanager or the jobmanager) is killed with -9 every few minutes (--kill-every, ±50 %). At the end the
// generators stop, the results must equal an independent computation from the input topics, and the report
// gives RSS and open files of both processes, the checkpoint directory's size, and every kill's recovery time.
//
//   npx tsx bench/soak/run.ts [--minutes 60] [--kill-every 4] [--rates 200,100,50] [--out docs/soak-run.json]
//
// Everything is its own: topics `sluice-soak-<run>-*`, the MySQL table `soak_spend_<run>`, the ES index
// `soak_pay_<run>`, the cluster directory /tmp/sluice-soak-<run> and OS-chosen ports; it needs the local stack
// (stack/up.sh). The pipelines and their checks are those of test/e2e/failover-e2e.test.ts, run for longer:
//   click event count  Kafka → Kafka, exactly-once: every closed window × page once, 1000 clicks each
//   spend report       Kafka → MySQL: the table equals the hourly sums of the topic
//   payments           Kafka → Elasticsearch: the documents equal the province sums of the topic
// Jobs do not survive a jobmanager restart (no high availability, docs/operations.md): after a jobmanager kill
// the soak does what an operator does — `cluster start` again (it takes back the living taskmanager) and each
// job is resubmitted from its newest completed checkpoint with `run -d -s` — unless the new jobmanager already
// knows the job.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { runDatagenCommand } from '../../runtime/cli/datagen-command.js';
import { parseTimestamp } from '../../runtime/core/values.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BOOTSTRAP = process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092';
const ES_URL = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const PROVINCES = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const minutes = Number(arg('minutes', '60'));
const killEveryMin = Number(arg('kill-every', '4'));
const [clickRate, txRate, payRate] = arg('rates', '200,100,50').split(',').map(Number);
const run = randomUUID().slice(0, 8);
const dir = `/tmp/sluice-soak-${run}`;
const out = arg('out', path.join(dir, 'report.json'));
const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

// ---- the cluster, through the CLI as a user drives it ------------------------------------------------------

const CLUSTER_DEFINES = ['heartbeat.timeout=2000', 'execution.checkpointing.interval=1s',
  'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.attempts=100000', 'restart-strategy.fixed-delay.delay=500 ms'];

function sluice(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/sluice.mjs'), ...args], {
    cwd: REPO, encoding: 'utf8', timeout: 180_000, env: { ...process.env, SLUICE_LOG_LEVEL: 'info', SLUICE_LOG_FORMAT: 'text', SLUICE_TYPECHECK: '0' },
  });
  if (r.status !== 0) throw new Error(`sluice ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const clusterStart = () => sluice(['cluster', 'start', '--dir', dir, '--rest-port', '0', '--slots', '3', ...CLUSTER_DEFINES.flatMap((d) => ['-D', d])]);
const restUrl = () => (JSON.parse(fs.readFileSync(path.join(dir, 'jobmanager.json'), 'utf8')) as { url: string }).url;
const pidOf = (name: string): number | null => {
  try { return Number(fs.readFileSync(path.join(dir, `${name}.pid`), 'utf8').trim()) || null; } catch { return null; }
};
const alive = (pid: number | null) => { if (!pid) return false; try { process.kill(pid, 0); return true; } catch { return false; } };

async function rest(method: string, p: string): Promise<any> {
  const res = await fetch(restUrl() + p, { method, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return res.status === 404 ? null : JSON.parse(text);
}
const jobState = async (id: string): Promise<string | null> => (await rest('GET', `/jobs/${id}`).catch(() => null))?.state ?? null;
const completed = async (id: string): Promise<number> => (await rest('GET', `/jobs/${id}/checkpoints`).catch(() => null))?.counts?.completed ?? 0;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => null);
    if (v) return v;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// ---- the three pipelines ---------------------------------------------------------------------------------

interface Pipeline {
  name: string;
  bundle: string;
  sets: string[];
  /** The job id now (it changes when the job is resubmitted after a jobmanager kill). */
  jobId: string;
  /** Every job id the pipeline had, oldest first (their checkpoints are where a resubmission restores from). */
  jobIds: string[];
}

const topics = { clicks: `sluice-soak-${run}-clicks`, clicksOut: `sluice-soak-${run}-clicks-out`, tx: `sluice-soak-${run}-transactions`, pay: `sluice-soak-${run}-payments` };
const table = `soak_spend_${run}`;
const index = `soak_pay_${run}`;

function compile(job: string, args: string[]): string {
  const file = path.join(dir, 'bundles', `${path.basename(job, '.ts')}.mjs`);
  sluice(['compile', job, '-o', file, '--', ...args]);
  return file;
}

function pipelines(): Pipeline[] {
  const group = (n: string) => ['--set', `${n}.properties.group.id=soak-${run}-${n}`, '--set', `${n}.properties.session.timeout.ms=6000`];
  return [
    { name: 'click event count', bundle: compile('jobs/click-event-count.ts', ['--event-time', '--input-topic', topics.clicks, '--output-topic', topics.clicksOut]),
      sets: ['--set', 'click_event_statistics.sink.delivery-guarantee=exactly-once', '--set', `click_event_statistics.sink.transactional-id-prefix=soak-${run}`, ...group('clicks')] },
    { name: 'spend report', bundle: compile('jobs/spend-report.ts', ['--topic', topics.tx]),
      sets: ['--set', `spend_report.table-name=${table}`, ...group('transactions')] },
    { name: 'payments', bundle: compile('jobs/payment-msg-processing.ts', ['--topic', topics.pay]),
      sets: ['--set', `es_sink.index=${index}`, '--set', 'payment_msg.scan.startup.mode=earliest-offset', ...group('payment_msg')] },
  ].map((p) => ({ ...p, jobId: '', jobIds: [] }));
}

function submit(p: Pipeline, from?: string): void {
  const r = sluice(['run', '--dir', dir, '-d', ...(from ? ['-s', from] : []), p.bundle, ...p.sets]);
  const m = /JobID ([0-9a-f]{32})/.exec(r.stdout);
  if (!m) throw new Error(`no job id: ${r.stdout}`);
  p.jobId = m[1];
  p.jobIds.push(m[1]);
}

/** The newest completed checkpoint (with its _metadata) of any of the pipeline's jobs. */
function newestCheckpoint(p: Pipeline): string | null {
  for (const id of [...p.jobIds].reverse()) {
    const jobDir = path.join(dir, 'checkpoints', id);
    if (!fs.existsSync(jobDir)) continue;
    const done = fs.readdirSync(jobDir).filter((d) => /^chk-\d+$/.test(d) && fs.existsSync(path.join(jobDir, d, '_metadata')))
      .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
    if (done.length) return path.join(jobDir, done[0]);
  }
  return null;
}

// ---- what the report measures ----------------------------------------------------------------------------

interface Sample { t: number; jmRssMb: number | null; tmRssMb: number | null; jmFds: number | null; tmFds: number | null; checkpointBytes: number; load1: number }

function rssMb(pid: number | null): number | null {
  if (!alive(pid)) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch { return null; }
}
function fds(pid: number | null): number | null {
  try { return alive(pid) ? fs.readdirSync(`/proc/${pid}/fd`).length : null; } catch { return null; }
}
function bytesUnder(p: string): number {
  let n = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else try { n += fs.statSync(f).size; } catch { /* deleted meanwhile (retention) */ }
    }
  };
  walk(p);
  return n;
}
const sample = (): Sample => ({
  t: Date.now(), jmRssMb: rssMb(pidOf('jobmanager')), tmRssMb: rssMb(pidOf('taskmanager-1')), jmFds: fds(pidOf('jobmanager')), tmFds: fds(pidOf('taskmanager-1')),
  checkpointBytes: bytesUnder(path.join(dir, 'checkpoints')), load1: os.loadavg()[0],
});

interface Kill { at: string; process: 'taskmanager' | 'jobmanager'; recoverySeconds: number | null; resubmitted: number; error?: string }

/** Every pipeline RUNNING and past a checkpoint completed after the kill. */
async function recovered(ps: Pipeline[], before: Map<string, number>, timeoutMs: number): Promise<void> {
  for (const p of ps) {
    await until(`${p.name} RUNNING`, async () => (await jobState(p.jobId)) === 'RUNNING', timeoutMs);
    await until(`${p.name} checkpoint`, async () => (await completed(p.jobId)) > (before.get(p.jobId) ?? 0), timeoutMs);
  }
}

async function killOne(ps: Pipeline[]): Promise<Kill> {
  const which = Math.random() < 0.5 ? 'taskmanager' : 'jobmanager';
  const at = new Date().toISOString();
  const started = Date.now();
  const before = new Map<string, number>();
  for (const p of ps) before.set(p.jobId, await completed(p.jobId));
  let resubmitted = 0;
  try {
    if (which === 'taskmanager') {
      process.kill(pidOf('taskmanager-1')!, 'SIGKILL');
      await until('the jobs RESTARTING', async () => (await jobState(ps[0].jobId)) !== 'RUNNING', 30_000);
      sluice(['taskmanager', 'start', '--dir', dir, '--slots', '3']);
    } else {
      const jm = pidOf('jobmanager')!;
      process.kill(jm, 'SIGKILL');
      await until('the jobmanager gone', async () => !alive(jm), 10_000);
      clusterStart();
      for (const p of ps) {
        if ((await jobState(p.jobId)) !== null) continue;
        const from = newestCheckpoint(p);
        if (!from) throw new Error(`${p.name}: no completed checkpoint to resubmit from`);
        submit(p, from);
        before.set(p.jobId, 0);
        resubmitted++;
      }
    }
    await recovered(ps, before, 180_000);
    return { at, process: which, recoverySeconds: (Date.now() - started) / 1000, resubmitted };
  } catch (e) {
    return { at, process: which, recoverySeconds: null, resubmitted, error: (e as Error).message };
  }
}

// ---- the checks at the end, computed independently from the input topics -------------------------------

const kafka = new Kafka({ clientId: `sluice-soak-${run}`, brokers: BOOTSTRAP.split(','), logLevel: logLevel.NOTHING });

async function readAll(topic: string, quietMs = 3000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `sluice-soak-reader-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 200 });
  const got: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push(message.value!.toString('utf8')); } });
    let last = -1;
    let since = Date.now();
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      await sleep(200);
      if (got.length !== last) { last = got.length; since = Date.now(); } else if (Date.now() - since > quietMs) break;
    }
  } finally {
    await consumer.disconnect();
  }
  return got;
}

interface Check { pipeline: string; exact: boolean; expected: number; got: number; detail: string }

function compare(pipeline: string, expected: Map<string, number>, got: Map<string, number>, what: string): Check {
  const diff: string[] = [];
  for (const [k, v] of expected) if (got.get(k) !== v) diff.push(`${k}: expected ${v}, got ${got.get(k) ?? 'nothing'}`);
  for (const k of got.keys()) if (!expected.has(k)) diff.push(`${k}: not expected`);
  return { pipeline, exact: diff.length === 0, expected: expected.size, got: got.size, detail: diff.length === 0 ? `all ${expected.size} ${what} equal` : `${diff.length} differ, e.g. ${diff.slice(0, 3).join('; ')}` };
}

async function checkClicks(): Promise<Check> {
  const clicks = (await readAll(topics.clicks)).map((v) => JSON.parse(v) as { timestamp: string; page: string });
  const starts = [...new Set(clicks.map((c) => { const t = parseTimestamp(c.timestamp)!; return t - (t % 15_000); }))].sort((a, b) => a - b);
  const expected = new Map<string, number>();
  // The last window stays open (no later event moves the watermark past it).
  for (const c of clicks) {
    const t = parseTimestamp(c.timestamp)!;
    const ws = t - (t % 15_000);
    if (ws === starts[starts.length - 1]) continue;
    expected.set(`${ws}|${c.page}`, (expected.get(`${ws}|${c.page}`) ?? 0) + 1);
  }
  const output = await readAll(topics.clicksOut);
  const got = new Map<string, number>();
  let duplicates = 0;
  for (const v of output) {
    const o = JSON.parse(v) as { windowStart: string; page: string; count: number };
    const k = `${parseTimestamp(o.windowStart)}|${o.page}`;
    if (got.has(k)) duplicates++;
    got.set(k, o.count);
  }
  const c = compare('click event count (Kafka, exactly-once, read_committed)', expected, got, 'window × page counts');
  if (duplicates > 0) return { ...c, exact: false, detail: `${c.detail}; ${duplicates} records repeated` };
  return { ...c, detail: `${c.detail} (${clicks.length} clicks, ${output.length} output records, none repeated)` };
}

async function expectedSpend(): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  for (const v of await readAll(topics.tx)) {
    const [a, amount, t] = v.split(',');
    const ts = parseTimestamp(t)!;
    const key = `${a}|${ts - (ts % 3_600_000)}`;
    expected.set(key, (expected.get(key) ?? 0) + Number(amount));
  }
  return expected;
}

async function readSpend(conn: mysql.Connection): Promise<Map<string, number>> {
  const [rows] = await conn.query(`SELECT account_id, UNIX_TIMESTAMP(log_ts) * 1000 AS h, amount FROM \`${table}\``) as unknown as [{ account_id: number; h: string; amount: number }[]];
  return new Map(rows.map((r) => [`${r.account_id}|${Math.round(Number(r.h))}`, Number(r.amount)]));
}

async function expectedPayments(): Promise<Map<string, number>> {
  // Summed in topic order, as the job sums them (one partition), so the doubles agree exactly.
  const expected = new Map<string, number>();
  for (const v of await readAll(topics.pay)) {
    const m = JSON.parse(v) as { payAmount: number; provinceId: number };
    expected.set(PROVINCES[m.provinceId], (expected.get(PROVINCES[m.provinceId]) ?? 0) + m.payAmount);
  }
  return expected;
}

async function readPayments(es: Es.Client): Promise<Map<string, number>> {
  if (!(await es.indices.exists({ index })).body) return new Map();
  await es.indices.refresh({ index });
  const res = await es.search({ index, body: { size: 100, query: { match_all: {} } } });
  return new Map((res.body.hits.hits as { _id: string; _source: { pay_amount: number } }[]).map((h) => [h._id, h._source.pay_amount]));
}

/** Polls a sink until it equals what is expected (the job catches up after the generators stop), or time is up. */
async function settle(pipeline: string, expected: Map<string, number>, read: () => Promise<Map<string, number>>, what: string): Promise<Check> {
  const deadline = Date.now() + 300_000;
  let c = compare(pipeline, expected, await read(), what);
  while (!c.exact && Date.now() < deadline) {
    await sleep(2000);
    c = compare(pipeline, expected, await read(), what);
  }
  return c;
}

// ---- the run ---------------------------------------------------------------------------------------------

function summary(samples: Sample[], key: keyof Sample): { first: number | null; max: number | null; last: number | null } {
  const values = samples.map((s) => s[key]).filter((v): v is number => v !== null);
  return { first: values[0] ?? null, max: values.length ? Math.max(...values) : null, last: values[values.length - 1] ?? null };
}

async function main(): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  log(`soak ${run}: ${minutes} min, a kill every ~${killEveryMin} min, rates clicks ${clickRate}/s, transactions ${txRate}/s, payments ${payRate}/s; cluster ${dir}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'sql-demo', password: 'demo-sql', database: 'sql-demo', timezone: 'Z' });
  await conn.query(`CREATE TABLE \`${table}\` (account_id BIGINT NOT NULL, log_ts TIMESTAMP(3) NOT NULL, amount BIGINT, PRIMARY KEY (account_id, log_ts))`);
  const { Client: EsClient } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;
  const es = new EsClient({ node: ES_URL });

  const samples: Sample[] = [];
  const kills: Kill[] = [];
  let checks: Check[] = [];
  const startedAt = new Date();
  try {
    clusterStart();
    const ps = pipelines();
    for (const p of ps) submit(p);
    for (const p of ps) await until(`${p.name} RUNNING`, async () => (await jobState(p.jobId)) === 'RUNNING', 60_000);
    const seconds = minutes * 60;
    const feeding = Promise.all([
      runDatagenCommand('clicks', { topic: topics.clicks, count: Math.round(clickRate * seconds), rate: clickRate, seed: 1, bootstrapServers: BOOTSTRAP, signal: new AbortController().signal }),
      runDatagenCommand('transactions', { topic: topics.tx, count: Math.round(txRate * seconds), rate: txRate, seed: 2, bootstrapServers: BOOTSTRAP, signal: new AbortController().signal }),
      runDatagenCommand('payments', { topic: topics.pay, count: Math.round(payRate * seconds), rate: payRate, seed: 3, bootstrapServers: BOOTSTRAP, signal: new AbortController().signal }),
    ]);
    let fed = false;
    void feeding.then(() => { fed = true; });
    const sampler = setInterval(() => samples.push(sample()), 15_000);
    samples.push(sample());
    while (!fed) {
      const pause = killEveryMin * 60_000 * (0.5 + Math.random());
      const wake = Date.now() + pause;
      while (!fed && Date.now() < wake) await sleep(1000);
      if (fed) break;
      const k = await killOne(ps);
      kills.push(k);
      log(`kill -9 ${k.process}: ${k.recoverySeconds !== null ? `recovered in ${k.recoverySeconds.toFixed(1)} s` : `NOT recovered: ${k.error}`}${k.resubmitted ? ` (${k.resubmitted} jobs resubmitted from their checkpoints)` : ''}`);
    }
    await feeding;
    log('generators done; checking the results');
    checks = [
      await checkClicks(),
      await settle('spend report (MySQL)', await expectedSpend(), () => readSpend(conn), 'account × hour sums'),
      await settle('payments (Elasticsearch)', await expectedPayments(), () => readPayments(es), 'province sums'),
    ];
    clearInterval(sampler);
    samples.push(sample());
    for (const p of ps) await rest('PATCH', `/jobs/${p.jobId}?mode=cancel`).catch(() => {});
  } finally {
    try { sluice(['cluster', 'stop', '--dir', dir]); } catch (e) { log(`cluster stop: ${(e as Error).message}`); }
    await conn.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
    await conn.end();
    await es.indices.delete({ index }).catch(() => {});
    await es.close();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
    await admin.disconnect();
  }
  const report = {
    run, startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), minutes, killEveryMinutes: killEveryMin,
    rates: { clicks: clickRate, transactions: txRate, payments: payRate }, cpus: os.cpus().length,
    kills, checks,
    jobmanagerRssMb: summary(samples, 'jmRssMb'), taskmanagerRssMb: summary(samples, 'tmRssMb'),
    jobmanagerOpenFiles: summary(samples, 'jmFds'), taskmanagerOpenFiles: summary(samples, 'tmFds'),
    checkpointDirBytes: summary(samples, 'checkpointBytes'), load1: summary(samples, 'load1'),
    samples,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 1) + '\n');
  log(`report: ${out}`);
  for (const c of checks) log(`${c.exact ? 'EXACT ' : 'WRONG '} ${c.pipeline}: ${c.detail}`);
  for (const k of ['jobmanagerRssMb', 'taskmanagerRssMb', 'jobmanagerOpenFiles', 'taskmanagerOpenFiles', 'checkpointDirBytes', 'load1'] as const) {
    log(`${k}: first ${report[k].first}, max ${report[k].max}, last ${report[k].last}`);
  }
  process.exitCode = checks.length === 3 && checks.every((c) => c.exact) && kills.every((k) => k.recoverySeconds !== null) ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
