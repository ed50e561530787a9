// Failover with real processes: the taskmanager running a job is killed with -9 mid-run. The job goes
// RESTARTING; with no free slot its restart waits for one (slot.request.timeout), shown in the log, list and
// REST; `sluice taskmanager start` brings slots back, the job resumes from its
// last completed checkpoint, and the final output equals an uninterrupted run (computed independently).
// A taskmanager that stops answering (SIGSTOP) is declared lost after the heartbeat timeout; when it
// wakes up it learns it was fenced, cancels its stale task and serves the restarted job instead. After a
// jobmanager killed with -9, `cluster start` recovers its jobs from the cluster directory and gets the
// taskmanager that survived back instead of adding one; the job resumes from its last checkpoint.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tables.js';
import { expectedSums, readParts } from './expected.js';
import { compileFixture, jobIdOf, TestCluster } from './helpers.js';

let cluster: TestCluster;

const RESTART = ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=1000', '-D', 'restart-strategy.fixed-delay.delay=300 ms'];

beforeAll(async () => {
  cluster = await TestCluster.start({ defines: ['heartbeat.timeout=2000'] });
});

afterAll(() => {
  cluster?.stop();
});

async function completedCheckpoints(jobId: string): Promise<number> {
  return (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json.counts.completed;
}

describe('failover', () => {
  it('kill -9 of the taskmanager: RESTARTING, waiting for a slot, then resumed from the checkpoint with the exact result', async () => {
    const rows = 30_000;
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', String(rows), '--output', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=3000', '-D', 'execution.checkpointing.interval=400 ms', ...RESTART]));
    await cluster.waitFor('two completed checkpoints', async () => (await completedCheckpoints(jobId)) >= 2);

    process.kill(cluster.pid('taskmanager-1'), 'SIGKILL');
    const restarting = await cluster.waitForState(jobId, 'RESTARTING', 10_000);
    expect(restarting.vertices[0].metrics['write-records']).toBeLessThan(rows);
    // The restart finds no slot and waits for one (slot.request.timeout), saying so in the log, list and REST.
    await cluster.waitFor('the waiting-for-resources warning', async () => /is waiting for resources: needs 1 slot on one taskmanager; no taskmanager is registered/.test(cluster.log('jobmanager')));
    expect(cluster.sluice(['list']).stdout).toMatch(new RegExp(`${jobId} : Windowed Sums \\(RESTARTING, waiting for resources: needs 1 slot on one taskmanager; no taskmanager is registered \\(it fails at \\d\\d:\\d\\d:\\d\\d, slot.request.timeout, unless slots free up\\)\\)`));
    await new Promise((r) => setTimeout(r, 1000));
    const waiting = await cluster.job(jobId);
    expect(waiting.state).toBe('RESTARTING');
    expect(waiting['waiting-for-resources']['timeout-at'] - waiting['waiting-for-resources'].since).toBe(300_000);
    expect(waiting.vertices[0].status).toBe('SCHEDULED');

    const tm = cluster.sluice(['taskmanager', 'start']);
    expect(tm.status, tm.stderr).toBe(0);
    expect(tm.stdout).toMatch(/^Taskmanager 1 started \(pid \d+\)/);
    await cluster.waitForState(jobId, 'FINISHED', 60_000);
    expect(readParts(out)).toEqual(expectedSums(rows));

    const cp = (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json;
    expect(cp.latest.restored).toMatchObject({ is_savepoint: false });
    expect(cp.latest.restored.external_path).toMatch(new RegExp(`checkpoints/${jobId}/chk-\\d+$`));
    expect(cluster.log('jobmanager')).toMatch(new RegExp(`Restoring job ${jobId} from Checkpoint \\d+ located at `));
    // Waiting for a slot is not a failure: the history holds the loss only.
    const names = (await cluster.rest('GET', `/jobs/${jobId}/exceptions`)).json.exceptionHistory.entries.map((e: any) => e.exceptionName);
    expect(names).toEqual(['TaskManagerLostException']);
    // Whichever notices first names the loss: the closed connection, the pid check, or (on a loaded machine) the heartbeat timeout.
    expect(cluster.log('jobmanager')).toMatch(/failed: TaskManagerLostException: TaskManager taskmanager-1-\w+ \(pid \d+\) is lost: (its connection closed|its process \(pid \d+\) exited|The heartbeat of TaskManager with id \S+ timed out)/);
  });

  it('a taskmanager that stops answering is declared lost; awake again, it is fenced and serves the restarted job', async () => {
    const rows = 20_000;
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', String(rows), '--output', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=3000', '-D', 'execution.checkpointing.interval=400 ms', ...RESTART]));
    await cluster.waitFor('two completed checkpoints', async () => (await completedCheckpoints(jobId)) >= 2);
    const pid = cluster.pid('taskmanager-1');
    process.kill(pid, 'SIGSTOP');
    try {
      await cluster.waitForState(jobId, 'RESTARTING', 10_000);
      expect(cluster.log('jobmanager')).toMatch(/The heartbeat of TaskManager with id taskmanager-1-\w+ timed out\./);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await cluster.waitForState(jobId, 'FINISHED', 60_000);
    expect(readParts(out)).toEqual(expectedSums(rows));
    // Fenced either way: its heartbeat answered 404 (unknown), or timed out while it was stopped.
    expect(cluster.log('taskmanager-1')).toMatch(/the jobmanager no longer knows this taskmanager: cancelling its tasks and registering again|lost the jobmanager \(no answer for 2000 ms\): cancelling tasks/);
    // The same process, registered anew.
    const tms = (await cluster.rest('GET', '/taskmanagers')).json.taskmanagers;
    expect(tms.map((t: any) => t.pid)).toEqual([pid]);
    expect(spawnSync('kill', ['-0', String(pid)]).status).toBe(0);
  });

  it('kill -9 of the jobmanager: `cluster start` recovers the job (same id, its checkpoint history) and gets the surviving taskmanager back; the job resumes from its checkpoint, exact', async () => {
    const rows = 30_000;
    const out = path.join(tempDir(), 'out');
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', String(rows), '--output', out]);
    const jobId = jobIdOf(cluster.sluice(['run', '-d', bundle, '--set', 'numbers.rows-per-second=3000', '-D', 'execution.checkpointing.interval=400 ms', ...RESTART]));
    await cluster.waitFor('two completed checkpoints', async () => (await completedCheckpoints(jobId)) >= 2);
    const tmPid = cluster.pid('taskmanager-1');
    process.kill(cluster.pid('jobmanager'), 'SIGKILL');
    // What the dead jobmanager had stored (it acknowledges a checkpoint only once stored): history survives.
    const stored = JSON.parse(fs.readFileSync(path.join(cluster.dir, 'jobs', jobId, 'status.json'), 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    const again = await TestCluster.start({ dir: cluster.dir, defines: ['heartbeat.timeout=2000'] });
    expect(again.sluice(['list', '-a']).stdout).toMatch(new RegExp(`${jobId} : Windowed Sums \\((RESTARTING|RUNNING|FINISHED)`));
    const cp = (await again.rest('GET', `/jobs/${jobId}/checkpoints`)).json;
    expect(cp.counts.completed).toBeGreaterThanOrEqual(stored.checkpoints.counts.completed);
    expect(cp.history.map((h: any) => h.id)).toEqual(expect.arrayContaining(stored.checkpoints.history.map((h: any) => h.id)));
    await again.waitForState(jobId, 'FINISHED', 60_000);
    expect(readParts(out)).toEqual(expectedSums(rows));
    expect(again.log('jobmanager')).toMatch(new RegExp(`Recovered job Windowed Sums \\(${jobId}\\) from the job store: it was RUNNING; it restarts from \\S+/checkpoints/${jobId}/chk-\\d+`));
    expect(again.log('jobmanager')).toMatch(new RegExp(`Restoring job ${jobId} from Checkpoint \\d+ located at `));
    // The same taskmanager, registered with the new jobmanager; none started beside it.
    const tms = (await again.rest('GET', '/taskmanagers')).json.taskmanagers;
    expect(tms.map((t: any) => t.pid)).toEqual([tmPid]);
    expect(fs.existsSync(path.join(cluster.dir, 'taskmanager-2.pid'))).toBe(false);
    expect(again.log('jobmanager')).toMatch(/Registering TaskManager with ResourceID taskmanager-1-/);
  }, 120_000);
});
