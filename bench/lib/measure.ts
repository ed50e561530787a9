// Runs one engine process and measures it from the outside, the same way for every engine: /usr/bin/time -v for
// the largest process's peak RSS and the tree's CPU time, plus a 100 ms sampler over /proc that sums RSS and
// CPU ticks over the whole process tree (PyFlink is a Python client, a JVM and Python UDF workers). The CPU
// samples let the harness work out the CPU spent inside the job's own time window (per-core throughput)
// without counting JVM start-up and planning.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ: clock ticks per second, 100 on Linux
const PAGE_KB = 4;
const SAMPLE_MS = 100;

export interface Sample {
  /** Epoch ms. */
  t: number;
  /** utime + stime of the live tree, ms. */
  cpuMs: number;
  rssKb: number;
}

export interface Measured {
  exitCode: number;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  /** Largest single process (from /usr/bin/time). */
  maxRssMb: number;
  /** Largest sum over the tree (from the sampler). */
  treeRssMb: number;
  /** User + system time of the tree (from /usr/bin/time). */
  cpuSeconds: number;
  samples: Sample[];
  startEpochMs: number;
}

interface ProcStat { ppid: number; cpuTicks: number; rssPages: number }

function readProcs(): Map<number, ProcStat> {
  const procs = new Map<number, ProcStat>();
  for (const name of fs.readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const text = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      // Fields after the command (which may hold spaces) start at 'state'; see proc(5).
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) });
    } catch {
      // the process ended while we looked
    }
  }
  return procs;
}

function sampleTree(root: number): Sample {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(pid);
    else children.set(p.ppid, [pid]);
  }
  let cpuTicks = 0;
  let rssPages = 0;
  // The root is /usr/bin/time itself: count what it runs.
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    const p = procs.get(pid);
    if (p) { cpuTicks += p.cpuTicks; rssPages += p.rssPages; }
    stack.push(...(children.get(pid) ?? []));
  }
  return { t: Date.now(), cpuMs: cpuTicks * TICK_MS, rssKb: rssPages * PAGE_KB };
}

const field = (text: string, label: string): number => {
  const m = new RegExp(`${label}: ([\\d.:]+)`).exec(text);
  return m ? Number(m[1]) : NaN;
};

/**
 * Runs command under /usr/bin/time -v; resolves when it exits (never rejects on a non-zero exit). After
 * timeoutMs the whole process group is killed (the run then fails with exit code 137 or similar). `watch`
 * gets a function that interrupts the run (SIGINT), for engines that would otherwise never end.
 */
/** Process groups of the runs under way: stopped with the harness (an interrupted benchmark leaves no JVM behind). */
const running = new Set<number>();
const stopAll = () => { for (const pgid of running) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } } };
process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { stopAll(); process.exit(130); });

export function measure(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, watch?: (interrupt: () => void) => void): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const startEpochMs = Date.now();
    // Its own process group, so a timeout can stop the engine and everything it started.
    const child = spawn('/usr/bin/time', ['-v', command, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid) running.add(child.pid);
    const killer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, timeoutMs);
    // An engine reading an unbounded source is stopped from outside, as Ctrl-C stops it (time ignores SIGINT).
    watch?.(() => { try { process.kill(-child.pid!, 'SIGINT'); } catch { /* already gone */ } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const samples: Sample[] = [];
    const timer = setInterval(() => { if (child.pid) samples.push(sampleTree(child.pid)); }, SAMPLE_MS);
    child.on('error', (e) => { clearInterval(timer); clearTimeout(killer); reject(e); });
    child.on('close', async (code) => {
      clearInterval(timer);
      clearTimeout(killer);
      const wallSeconds = (Date.now() - startEpochMs) / 1000;
      if (child.pid) { await groupGone(child.pid); running.delete(child.pid); }
      await settle();
      const maxRssKb = field(stderr, 'Maximum resident set size \\(kbytes\\)');
      const cpuSeconds = field(stderr, 'User time \\(seconds\\)') + field(stderr, 'System time \\(seconds\\)');
      const treeRssKb = Math.max(0, ...samples.map((s) => s.rssKb));
      resolve({
        exitCode: code ?? 1, stdout, stderr, wallSeconds, samples, startEpochMs,
        maxRssMb: Math.round(maxRssKb / 1024), treeRssMb: Math.round(treeRssKb / 1024), cpuSeconds,
      });
    });
  });
}

/**
 * Waits until every process of the run's group has ended (a JVM can outlive the client that started it),
 * killing what is left after 10 s.
 */
async function groupGone(pgid: number): Promise<void> {
  for (let waited = 0; ; waited += 50) {
    try { process.kill(-pgid, waited >= 10_000 ? 'SIGKILL' : 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits (up to 5 s) until the machine is quiet: less than a quarter of one core busy over 250 ms. The kernel
 * keeps tearing down a 2 GB JVM after it has exited; the run after a peer's would otherwise pay for it (in one
 * full run, sluice after PyFlink was 20 % slower than sluice first).
 */
async function settle(): Promise<void> {
  const WINDOW_MS = 250;
  const USER_HZ = 100; // /proc/stat's ticks per second
  const quietTicks = 0.25 * USER_HZ * (WINDOW_MS / 1000); // a quarter of one core over the window
  const busy = () => {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + cpu[4];
    return { total: cpu.reduce((a, b) => a + b, 0), idle };
  };
  for (let i = 0; i < 20; i++) {
    const a = busy();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const b = busy();
    if ((b.total - a.total) - (b.idle - a.idle) < quietTicks) return;
  }
}

/** CPU seconds the tree spent between two epoch ms inside its run, from the samples (100 ms apart). */
export function cpuBetween(m: Measured, from: number, to: number): number {
  let most = 0;
  const samples = [{ t: m.startEpochMs, cpuMs: 0, rssKb: 0 }, ...m.samples].map((x) => ({ ...x, cpuMs: (most = Math.max(most, x.cpuMs)) }));
  if (to - from < 5 * SAMPLE_MS) return NaN;
  return (cpuAt(samples, to) - cpuAt(samples, from)) / 1000;
}

/** CPU ms the tree had used at time t, linearly interpolated between samples. */
function cpuAt(samples: Sample[], t: number): number {
  if (samples.length === 0) return NaN;
  if (t <= samples[0].t) return samples[0].cpuMs;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (t <= b.t) return a.cpuMs + ((b.cpuMs - a.cpuMs) * (t - a.t)) / Math.max(1, b.t - a.t);
  }
  return samples[samples.length - 1].cpuMs;
}

/**
 * CPU seconds the tree spent from `from` (epoch ms) to its exit: the tree's CPU at the end minus what the
 * samples say was spent before `from` (start-up, JIT warm-up, planning). The end is the exact total from
 * /usr/bin/time, unless the samples saw more: a process its parent did not wait for (PyFlink's JVM) is
 * missing from that total, and then the samples (up to 100 ms short of its end) are the better count.
 * NaN when the window is too short to say.
 */
export function cpuSecondsFrom(m: Measured, from: number): number {
  // A live tree's CPU only grows; it drops when processes end (their time leaves the live sum): keep the maximum.
  let most = 0;
  const samples = [{ t: m.startEpochMs, cpuMs: 0, rssKb: 0 }, ...m.samples].map((x) => ({ ...x, cpuMs: (most = Math.max(most, x.cpuMs)) }));
  const exitEpochMs = m.startEpochMs + m.wallSeconds * 1000;
  if (exitEpochMs - from < 5 * SAMPLE_MS) return NaN;
  const endMs = Math.max(most, Number.isFinite(m.cpuSeconds) ? m.cpuSeconds * 1000 : 0);
  return (endMs - cpuAt(samples, from)) / 1000;
}
