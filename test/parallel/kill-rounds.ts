// The kill -9 rounds of the spread failover tests (issue 18.7(b)): a cluster of 3 taskmanagers, and rounds that
// each wait until every job runs with a checkpoint of its current attempt behind it, then kill -9 a process and
// bring it back as a user would (docs/operations.md, "Failure and recovery"): a lost taskmanager with `sluice
// taskmanager start` once the jobmanager has noticed, a lost jobmanager with `sluice cluster start` (the
// taskmanagers still alive rejoin it). Round 1 takes the jobmanager, every other round a random taskmanager.
import { TestCluster } from '../cluster/helpers.js';

const DEFINES = ['heartbeat.timeout=2000'];
const TASKMANAGERS = 3;

export class KillRounds {
  /** The processes killed, in order (for failure messages). */
  readonly killed: string[] = [];

  private constructor(public cluster: TestCluster, private readonly slots: number) {}

  static async start(slots: number): Promise<KillRounds> {
    return new KillRounds(await TestCluster.start({ slots, args: ['--taskmanagers', String(TASKMANAGERS)], defines: DEFINES }), slots);
  }

  async completed(jobId: string): Promise<number> {
    return (await this.cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json?.counts?.completed ?? 0;
  }

  /** Every job RUNNING with a checkpoint completed after this call. */
  async checkpointed(jobs: string[]): Promise<void> {
    for (const id of jobs) await this.cluster.waitForState(id, 'RUNNING', 180_000);
    const before = await Promise.all(jobs.map((id) => this.completed(id)));
    await this.cluster.waitFor('a new checkpoint of every job', async () => (await Promise.all(jobs.map((id) => this.completed(id)))).every((n, i) => n > before[i]), 120_000);
  }

  /** `rounds` kills, each once every job has a checkpoint of its current attempt. */
  async run(jobs: string[], rounds: number): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      await this.checkpointed(jobs);
      const victim = round === 1 ? 'jobmanager' : `taskmanager-${1 + Math.floor(Math.random() * TASKMANAGERS)}`;
      this.killed.push(victim);
      process.kill(this.cluster.pid(victim), 'SIGKILL');
      if (victim === 'jobmanager') {
        await new Promise((r) => setTimeout(r, 200));
        this.cluster = await TestCluster.start({ dir: this.cluster.dir, args: ['--taskmanagers', String(TASKMANAGERS)], slots: this.slots, defines: DEFINES });
      } else {
        await this.cluster.waitFor('the jobmanager to notice', async () => (await this.cluster.rest('GET', '/taskmanagers')).json.taskmanagers.length === TASKMANAGERS - 1, 30_000);
        const r = this.cluster.sluice(['taskmanager', 'start', '--slots', String(this.slots)]);
        if (r.status !== 0) throw new Error(`taskmanager start failed: ${r.stderr}`);
      }
    }
  }
}
