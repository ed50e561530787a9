// A real local cluster for a test: `sluice cluster start` in a temporary directory on a port the OS picks
// (--rest-port 0), so tests never clash with each other or with a cluster a developer runs on 8081. Each
// test file stops what it started (afterAll), also when the test failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';

export function sluiceIn(args: string[], env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/sluice.mjs'), ...args], {
    cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SLUICE_LOG_LEVEL: 'info', SLUICE_LOG_FORMAT: 'text', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Compiles a fixture job into a bundle (job arguments are compile-time inputs). */
export function compileFixture(file: string, args: string[]): string {
  const out = path.join(tempDir('sluice-bundle-'), `${path.basename(file, '.ts')}.mjs`);
  const r = sluiceIn(['compile', file, '-o', out, '--', ...args]);
  if (r.status !== 0) throw new Error(`compile failed: ${r.stderr}`);
  return out;
}

export interface Rest {
  status: number;
  json: any;
  text: string;
}

export class TestCluster {
  private constructor(readonly dir: string, readonly url: string, private readonly env: Record<string, string>) {}

  static async start(opts: { defines?: string[]; env?: Record<string, string>; slots?: number; dir?: string; args?: string[] } = {}): Promise<TestCluster> {
    const dir = opts.dir ?? tempDir('sluice-cluster-');
    const env = opts.env ?? {};
    const r = sluiceIn(['cluster', 'start', '--dir', dir, '--rest-port', '0', ...(opts.slots ? ['--slots', String(opts.slots)] : []),
      ...(opts.args ?? []), ...(opts.defines ?? []).flatMap((d) => ['-D', d])], env);
    if (r.status !== 0) throw new Error(`cluster start failed (${r.status}): ${r.stderr}${r.stdout}`);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'jobmanager.json'), 'utf8')) as { url: string };
    return new TestCluster(dir, state.url, env);
  }

  /** Runs a command against this cluster: --dir goes right after the command, before any `--` job arguments. */
  sluice(args: string[]): CliResult {
    return sluiceIn([args[0], '--dir', this.dir, ...args.slice(1)], this.env);
  }

  stop(): CliResult {
    return sluiceIn(['cluster', 'stop', '--dir', this.dir], this.env);
  }

  async rest(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Rest> {
    const token = this.env.SLUICE_REST_TOKEN;
    const send = () => fetch(this.url + p, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // A pooled keep-alive connection the server closed as idle just as it was reused ("other side closed",
    // after a long compile between two calls): a GET is sent again on a new connection.
    const res = await send().catch((e: { cause?: { code?: string } }) => {
      if (method === 'GET' && e.cause?.code === 'UND_ERR_SOCKET') return send();
      throw e;
    });
    const text = await res.text();
    let json: unknown = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text };
  }

  async job(id: string): Promise<any> {
    return (await this.rest('GET', `/jobs/${id}`)).json;
  }

  /** Polls the job until `until` holds for it (or fails after `timeoutMs`, naming the last state). */
  async waitForJob(id: string, until: (job: any) => boolean, timeoutMs = 45_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let job: any = null;
    while (Date.now() < deadline) {
      job = await this.job(id);
      if (until(job)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not get there within ${timeoutMs} ms; last state ${job?.state}`);
  }

  waitForState(id: string, state: string, timeoutMs?: number): Promise<any> {
    return this.waitForJob(id, (j) => j.state === state, timeoutMs);
  }

  async waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const v = await probe();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  log(name: string): string {
    const file = path.join(this.dir, 'log', `${name}.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  }

  pid(name: string): number {
    return Number(fs.readFileSync(path.join(this.dir, `${name}.pid`), 'utf8').trim());
  }
}

/** The job id in `Job has been submitted with JobID <id>`. */
export function jobIdOf(r: CliResult): string {
  const m = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(r.stdout);
  if (!m) throw new Error(`no job id in: ${r.stdout}\n${r.stderr}`);
  return m[1];
}
