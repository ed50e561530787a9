// Exactly-once kafka sinks on a scale-down (3 -> 2), on the real broker: the restored checkpoint's state of
// vanished subtask 2 reaches subtask 0 (redistribute.ts's handover) and SinkWriter.takeOver settles it. The
// transaction subtask 2 left open after the checkpoint would hold the partition's last stable offset (LSO)
// back for transaction.timeout.ms (15 min): takeOver aborts it, the LSO advances, and read_committed output
// holds every row exactly once. A checkpoint whose output subtask 2 pre-committed but never committed (it
// died first) has that output committed by subtask 0, as its own restore would (Flink's recoverAndCommit).
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '../../runtime/connectors/kafka/sink.js';
import type { SinkWriter } from '../../runtime/core/connector.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import type { Row } from '../../runtime/core/row.js';
import { subtaskSnapshot, type SnapshotLayout } from '../../runtime/exec/redistribute.js';
import type { JobSnapshot } from '../../runtime/state/checkpoint-storage.js';
import { admin, closeAdmin, createTopic, field, kafkaSinkContext, readTopic, sleep, uniqueTopic, type ReadRecord } from './helpers.js';

afterAll(closeAdmin);

const SCHEMA = [field('id', DataTypes.BIGINT())];
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const LAYOUT: SnapshotLayout = { maxParallelism: 128, keyed: new Map(), joins: new Set(), operators: new Set(['sink']), sinks: new Set(['sink']), sources: new Map() };

/**
 * The ids of the records read, sorted, one per offset: the reading consumer group may deliver a batch twice
 * when it rebalances under load, which is the reader's doing, not a record written twice.
 */
function committedIds(records: ReadRecord[]): number[] {
  return [...new Map(records.map((r) => [`${r.partition}:${r.offset}`, JSON.parse(r.value!).id as number])).values()].sort((a, b) => a - b);
}

/** The last stable offset of partition 0 (ListOffsets with read_committed, as kafkajs' admin asks). */
async function lso(topic: string): Promise<number> {
  return Number((await (await admin()).fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.offset);
}

/** Subtask `index` of `parallelism`, each with its own run (scope of its transaction). */
async function open(topic: string, prefix: string, index: number, parallelism: number, restored: unknown): Promise<SinkWriter> {
  const ctx = { ...kafkaSinkContext(topic, SCHEMA, { format: 'json', 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': prefix }), subtask: { index, parallelism } };
  const w = createKafkaSink(ctx, false);
  await w.open(restored);
  return w;
}

/** A checkpoint of the writers as the runtime takes it: flushed, snapshots taken, stored as a 3-part snapshot. */
async function checkpoint(writers: SinkWriter[]): Promise<JobSnapshot> {
  const parts: JobSnapshot[] = [];
  for (const w of writers) {
    await w.flush();
    parts.push({ sources: {}, operators: { sink: JSON.parse(JSON.stringify(w.snapshot!())) }, watermarks: {} });
  }
  return { sources: {}, operators: {}, watermarks: {}, parallelism: writers.length, subtasks: parts };
}

describe('kafka sink: a scale-down hands vanished subtasks\' transactions to subtask 0', { timeout: 120_000 }, () => {
  it('3 -> 2: subtask 2\'s lingering transaction is aborted, the LSO advances, read_committed holds every row once', async () => {
    const topic = await createTopic(uniqueTopic('handover'), 1);
    const prefix = topic;
    const old = [0, 1, 2].map(() => null as SinkWriter | null);
    const next: SinkWriter[] = [];
    try {
      for (let i = 0; i < 3; i++) old[i] = await open(topic, prefix, i, 3, null);
      for (let i = 0; i < 3; i++) await old[i]!.write({ rows: rows(i * 1000, 20), kinds: null });
      const stored = await checkpoint(old.map((w) => w!));
      for (let i = 0; i < 3; i++) await old[i]!.checkpointComplete!(stored.subtasks![i].operators.sink);
      // After the checkpoint each subtask writes on into a new transaction, then the job dies (no close).
      for (let i = 0; i < 3; i++) await old[i]!.write({ rows: rows(i * 1000 + 20, 10), kinds: null });
      await sleep(500);
      const stuck = await lso(topic);
      expect(stuck).toBe(60 + 3); // 60 records and 3 commit markers; subtask 0's open transaction begins there

      // At -p 2 from the checkpoint: subtasks 0 and 1 fence their own ids; subtask 2's transaction stays open.
      const first = subtaskSnapshot(stored, LAYOUT, 2, 0);
      expect(first.handover).toEqual({ sink: [{ subtask: 2, state: stored.subtasks![2].operators.sink }] });
      next.push(await open(topic, prefix, 0, 2, first.operators.sink), await open(topic, prefix, 1, 2, subtaskSnapshot(stored, LAYOUT, 2, 1).operators.sink));
      await sleep(1000);
      const withoutHandover = await lso(topic);
      expect(withoutHandover).toBeLessThan(60 + 3 + 30);
      // Subtask 0 takes over: subtask 2's id is fenced, its transaction aborted; nothing open is left.
      await next[0].takeOver!(first.handover!.sink);
      const after = await lso(topic);
      expect(after).toBeGreaterThan(withoutHandover);
      expect(after).toBe(60 + 3 + 30 + 3); // the 30 records of the dead transactions and their 3 abort markers

      // The sources replay what came after the checkpoint; subtask 2's input now goes to subtasks 0 and 1.
      await next[0].write({ rows: [...rows(20, 10), ...rows(2020, 5)], kinds: null });
      await next[1].write({ rows: [...rows(1020, 10), ...rows(2025, 5)], kinds: null });
      const second = await checkpoint(next);
      for (let i = 0; i < 2; i++) await next[i].checkpointComplete!(second.subtasks![i].operators.sink);
      const ids = committedIds(await readTopic(topic, { readCommitted: true, count: 90, quietMs: 1000 }));
      expect(ids).toEqual([0, 1000, 2000].flatMap((from) => range(from, 30)));
    } finally {
      await Promise.all([...next, ...old].map((w) => w?.close().catch(() => {})));
    }
  });

  it('subtask 2 pre-committed the checkpoint but died before its commit: the restore at -p 2 commits its output', async () => {
    const topic = await createTopic(uniqueTopic('handover-uncommitted'), 1);
    const prefix = topic;
    const old: SinkWriter[] = [];
    let first: SinkWriter | null = null;
    try {
      for (let i = 0; i < 3; i++) old.push(await open(topic, prefix, i, 3, null));
      for (let i = 0; i < 3; i++) await old[i].write({ rows: rows(i * 1000, 5), kinds: null });
      const stored = await checkpoint(old);
      // Subtasks 0 and 1 commit; subtask 2 dies first.
      for (let i = 0; i < 2; i++) await old[i].checkpointComplete!(stored.subtasks![i].operators.sink);
      const snap = subtaskSnapshot(stored, LAYOUT, 2, 0);
      first = await open(topic, prefix, 0, 2, snap.operators.sink);
      await first.takeOver!(snap.handover!.sink);
      // Committed, then fenced: the checkpoint's records of all three subtasks are visible once, and subtask 2's late commit fails.
      expect(committedIds(await readTopic(topic, { readCommitted: true, count: 15, quietMs: 1000 })))
        .toEqual([...range(0, 5), ...range(1000, 5), ...range(2000, 5)]);
      await expect(old[2].checkpointComplete!(stored.subtasks![2].operators.sink)).rejects.toThrow();
    } finally {
      await Promise.all([first, ...old].map((w) => w?.close().catch(() => {})));
    }
  });
});
