// When the runner lets a two-phase sink commit (SinkWriter.checkpointComplete): for a stored checkpoint with
// the state that checkpoint holds for it, at the end of input with the final state before close(), and
// never for a cancelled run.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileJob } from '../../compiler/index.js';
import { instantiate } from '../../compiler/codegen/instantiate.js';
import type { SinkWriter } from '../../runtime/core/connector.js';
import { createLogger } from '../../runtime/core/log.js';
import { registerConnector } from '../../runtime/connectors/registry.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';
import { JobRunner } from '../../runtime/exec/job-runner.js';

const calls: string[] = [];

class CommittingWriter implements SinkWriter {
  private rows = 0;
  private flushed = 0;
  async open(): Promise<void> { calls.push('open'); }
  write(batch: { rows: unknown[] }): void { this.rows += batch.rows.length; }
  async flush(): Promise<void> { this.flushed = this.rows; }
  snapshot(): unknown { return { flushed: this.flushed }; }
  async checkpointComplete(state: unknown): Promise<void> { calls.push(`commit ${(state as { flushed: number }).flushed}`); }
  async close(): Promise<void> { calls.push('close'); }
}

async function runner(rows: number, rate: number) {
  const compiled = await compileJob('test/cluster/fixtures/committing-job.ts', { args: ['--rows', String(rows), '--rate', String(rate)] });
  return new JobRunner(applyOverrides(compiled.plan, {}), { code: instantiate(compiled.code.factory, {}), log: createLogger('commits', 'silent') });
}

beforeAll(() => {
  registerConnector({ name: 'committing', options: { keys: {} }, roles: ['sink'], sinkAccepts: 'insert-only', load: async () => ({ createSink: () => new CommittingWriter() }) });
});

describe('two-phase sink commits', () => {
  it('a stored checkpoint commits what it holds; the end of input commits the final flush before close', async () => {
    calls.length = 0;
    const r = await runner(3000, 20_000);
    const done = r.run();
    await r.started;
    await new Promise((res) => setTimeout(res, 30));
    const snap = await r.snapshot();
    const held = (Object.values(snap.operators)[0] as { flushed: number }).flushed;
    await r.checkpointComplete(snap);
    await done;
    expect(calls).toEqual(['open', `commit ${held}`, 'commit 3000', 'close']);
  });

  it('a cancelled run commits nothing at its end', async () => {
    calls.length = 0;
    const controller = new AbortController();
    const compiled = await compileJob('test/cluster/fixtures/committing-job.ts', { args: ['--rows', '100000', '--rate', '1000'] });
    const r = new JobRunner(applyOverrides(compiled.plan, {}), { code: instantiate(compiled.code.factory, {}), log: createLogger('commits', 'silent'), signal: controller.signal });
    const done = r.run();
    await r.started;
    controller.abort();
    await done;
    expect(calls).toEqual(['open', 'close']);
  });
});
