// Issue 13.7: a foreground `sluice run` with execution.checkpointing.interval takes checkpoints (cluster format,
// state.checkpoints.dir, num-retained kept), and Ctrl-C (SIGINT) or SIGTERM stops it at a final checkpoint that
// `sluice run -s` resumes with its open windows: interrupted twice and resumed twice, the event-time window
// sums equal the independent computation for the whole input, each window once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';
import { expectedSums, readParts } from '../cluster/expected.js';
import { compileFixture } from '../cluster/helpers.js';

const ROWS = 3000;

interface Exit { code: number | null; stderr: string }

const sluiceRun = (...args: string[]) => [path.join(ROOT, 'bin/sluice.mjs'), 'run', ...args];

/** node with `argv` as a child process; `interrupt` sends the signal once the job has a completed checkpoint, some rows later. */
function run(argv: string[], checkpoints: string, interrupt?: NodeJS.Signals): Promise<Exit> {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT, env: { ...process.env, SLUICE_LOG_LEVEL: 'info', SLUICE_LOG_FORMAT: 'text' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const before = new Set(completed(checkpoints));
  const poll = interrupt && setInterval(() => {
    if (completed(checkpoints).some((c) => !before.has(c))) {
      clearInterval(poll);
      setTimeout(() => child.kill(interrupt), 400);
    }
  }, 50);
  return new Promise((resolve) => child.on('exit', (code) => { if (poll) clearInterval(poll); resolve({ code, stderr }); }));
}

/** Completed checkpoints (chk-<n> with _metadata) under a checkpoints directory, as job/chk-n. */
function completed(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((job) => fs.readdirSync(path.join(dir, job))
    .filter((c) => fs.existsSync(path.join(dir, job, c, '_metadata'))).map((c) => `${job}/${c}`));
}

function finalCheckpoint(r: Exit): string {
  const m = /^Final checkpoint: (\S+)$/m.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return m![1];
}

const out = path.join(tempDir(), 'out');
let bundle: string;

beforeAll(() => {
  // 1000 rows/s: the job runs for 3 s of wall time and the windows (10 ids each) are open across the stops.
  bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', String(ROWS), '--rate', '1000', '--output', out]);
});

describe('foreground run with checkpointing', () => {
  it('stops at a final checkpoint on SIGINT and on SIGTERM; resumed from them, every window is exact', async () => {
    const checkpoints = path.join(tempDir(), 'checkpoints');
    const conf = ['-D', 'execution.checkpointing.interval=200ms', '-D', `state.checkpoints.dir=${checkpoints}`, '-D', 'state.checkpoints.num-retained=2'];

    const first = await run(sluiceRun(bundle, ...conf), checkpoints, 'SIGINT');
    expect(first.code, first.stderr).toBe(0);
    const chk1 = finalCheckpoint(first);
    expect(first.stderr).toContain(`Resume with: sluice run -s ${chk1}`);
    expect(chk1.startsWith(checkpoints + path.sep)).toBe(true);
    expect(fs.existsSync(path.join(chk1, '_metadata'))).toBe(true);
    const job1 = path.dirname(chk1);
    // Retention as in the cluster: the newest num-retained, the final one among them.
    const kept = fs.readdirSync(job1).filter((c) => c.startsWith('chk-')).map((c) => Number(c.slice(4))).sort((a, b) => a - b);
    expect(kept).toHaveLength(2);
    expect(path.join(job1, `chk-${kept[1]}`)).toBe(chk1);
    const partial = readParts(out);
    expect(partial.length).toBeLessThan(expectedSums(ROWS).length);

    const second = await run(sluiceRun('-s', chk1, bundle, ...conf), checkpoints, 'SIGTERM');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`Restoring job from Checkpoint ${kept[1]}`));
    const chk2 = finalCheckpoint(second);
    expect(Number(/chk-(\d+)$/.exec(chk2)![1])).toBeGreaterThan(kept[1]);

    // The bundle alone takes -s too.
    const last = await run([bundle, '-s', chk2, ...conf], checkpoints);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).not.toMatch(/Final checkpoint/);
    expect(readParts(out)).toEqual(expectedSums(ROWS));
  }, 120_000);

  it('-s on something that is not a checkpoint fails at once, naming it', async () => {
    const bogus = path.join(tempDir(), 'nope');
    const r = await run(sluiceRun('-s', bogus, bundle), tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: '${bogus}' is not a readable savepoint`);
  }, 60_000);
});
