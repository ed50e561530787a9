// The kafka sink against the real broker: values and keys in both formats, at-least-once acknowledgements on
// flush, write() backpressure, and exactly-once as a two-phase commit: records are invisible to read_committed
// readers until checkpointComplete() (flush only pre-commits them), never visible when the writer closes or
// crashes before its pre-commit, and a restore commits the checkpoint's transaction when the crash left it
// open (Flink's recoverAndCommit) and never a later one, or refuses the checkpoint when it was aborted
// (UncommittedCheckpointError), so replay from the previous one yields every record exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '../../runtime/connectors/kafka/sink.js';
import { createKafkaSource } from '../../runtime/connectors/kafka/source.js';
import { MARKER_TOPIC, type KafkaSinkState } from '../../runtime/connectors/kafka/two-phase-commit.js';
import type { SinkWriter } from '../../runtime/core/connector.js';
import { DataTypes } from '../../runtime/core/data-types.js';
import { UncommittedCheckpointError } from '../../runtime/core/errors.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { admin, closeAdmin, createTopic, field, kafkaSinkContext, kafkaSourceContext, pollRows, readTopic, rowsOf, sleep, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const SCHEMA = [field('id', DataTypes.BIGINT()), field('name', DataTypes.STRING()), field('ts', DataTypes.TIMESTAMP(3))];
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0, 5);
const ids = (records: { value: string | null }[]) => records.map((r) => JSON.parse(r.value!).id as number);
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `n${from + i}`, ts: T0 + (from + i) * 1000 }));

async function openSink(topic: string, options: Record<string, string>, restored: unknown = null) {
  const writer = createKafkaSink(kafkaSinkContext(topic, SCHEMA, options), false);
  await writer.open(restored);
  return writer;
}

describe('kafka sink: at-least-once', { timeout: 60_000 }, () => {
  it('writes json values with json keys from key.fields, acknowledged on flush', async () => {
    const topic = await createTopic(uniqueTopic('sink-json'), 3);
    const writer = await openSink(topic, { format: 'json', 'key.format': 'json', 'key.fields': 'id' });
    try {
      await writer.write({ rows: rows(0, 30), kinds: null });
      await writer.flush();
      // Nothing to keep in checkpoints and nothing left to commit: flush made the records durable.
      expect(writer.snapshot!()).toBeNull();
      await writer.checkpointComplete!(null);
    } finally {
      await writer.close();
    }
    const got = await readTopic(topic, { count: 30 });
    expect(got).toHaveLength(30);
    const byId = new Map(got.map((r) => [JSON.parse(r.value!).id as number, r]));
    expect(JSON.parse(byId.get(7)!.value!)).toEqual({ id: 7, name: 'n7', ts: '2024-05-01 10:00:07.005' });
    expect(byId.get(7)!.key!.toString()).toBe('{"id":7}');
    // The same key always lands on the same partition, and the keys spread over the partitions.
    expect(new Set(got.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('writes csv with a csv key and EXCEPT_KEY values, and reads them back through the source', async () => {
    const topic = await createTopic(uniqueTopic('sink-csv'));
    const options = { 'value.format': 'csv', 'key.format': 'csv', 'key.fields': 'id', 'value.fields-include': 'EXCEPT_KEY', 'scan.startup.mode': 'earliest-offset' };
    const writer = await openSink(topic, options);
    await writer.write({ rows: rows(1, 3), kinds: null });
    await writer.flush();
    await writer.close();
    const got = await readTopic(topic, { count: 3 });
    expect(got.map((r) => [r.key!.toString(), r.value])).toEqual([
      ['1', 'n1,2024-05-01 10:00:01.005'], ['2', 'n2,2024-05-01 10:00:02.005'], ['3', 'n3,2024-05-01 10:00:03.005'],
    ]);
    const reader = createKafkaSource(kafkaSourceContext(topic, SCHEMA, options), false);
    await reader.open(null);
    try {
      expect(rowsOf(await pollRows(reader, 3))).toEqual(rows(1, 3));
    } finally {
      await reader.close();
    }
  });

  it('holds write() back while more than buffer.memory is unacknowledged', async () => {
    const topic = await createTopic(uniqueTopic('sink-backpressure'));
    const writer = await openSink(topic, { format: 'json', 'properties.buffer.memory': '20000' });
    try {
      const pending = writer.write({ rows: rows(0, 1000), kinds: null });
      expect(pending).toBeInstanceOf(Promise);
      await pending;
      // Below the bound again: a small write is taken without waiting.
      expect(writer.write({ rows: rows(1000, 1), kinds: null })).toBeUndefined();
      await writer.flush();
    } finally {
      await writer.close();
    }
    expect(await readTopic(topic, { count: 1001 })).toHaveLength(1001);
  });

  it('keeps the order of many records across requests and backpressure waits', async () => {
    const topic = await createTopic(uniqueTopic('sink-order'));
    const writer = await openSink(topic, { format: 'json' });
    const total = 30_000;
    let waits = 0;
    try {
      // As the runtime writes: 1024-row batches, waiting whenever write() asks to.
      for (let i = 0; i < total; i += 1024) {
        const pending = writer.write({ rows: rows(i, Math.min(1024, total - i)), kinds: null });
        if (pending) {
          waits++;
          await pending;
        }
      }
      await writer.flush();
    } finally {
      await writer.close();
    }
    // Far more than the producer keeps unacknowledged: write() held the writer back.
    expect(waits).toBeGreaterThan(0);
    expect(ids(await readTopic(topic, { count: total }))).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it("sink.partitioner 'fixed' writes every record to partition 0", async () => {
    const topic = await createTopic(uniqueTopic('sink-fixed'), 3);
    const writer = await openSink(topic, { format: 'json', 'key.format': 'json', 'key.fields': 'id', 'sink.partitioner': 'fixed' });
    await writer.write({ rows: rows(0, 20), kinds: null });
    await writer.flush();
    await writer.close();
    expect(new Set((await readTopic(topic, { count: 20 })).map((r) => r.partition))).toEqual(new Set([0]));
  });

  it('rejects updates: a kafka sink takes inserts only', async () => {
    const topic = await createTopic(uniqueTopic('sink-kinds'));
    const writer = await openSink(topic, { format: 'json' });
    try {
      expect(() => writer.write({ rows: rows(0, 2), kinds: [RowKind.INSERT, RowKind.UPDATE_AFTER] })).toThrow(/takes inserts only, got \+U/);
    } finally {
      await writer.close();
    }
  });
});

describe('kafka sink: exactly-once', { timeout: 90_000 }, () => {
  const eo = (prefix: string) => ({ format: 'json', 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': prefix });
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  /** A checkpoint as the runtime takes it: sinks flushed, then their snapshots. */
  const checkpoint = async (writer: SinkWriter) => {
    await writer.flush();
    return writer.snapshot!() as KafkaSinkState;
  };

  it('flushed records stay invisible to read_committed readers until checkpointComplete, then appear exactly once', async () => {
    const topic = await createTopic(uniqueTopic('eo-commit'));
    const writer = await openSink(topic, eo(topic));
    try {
      await writer.write({ rows: rows(0, 10), kinds: null });
      const first = await checkpoint(writer);
      expect(first).toMatchObject({ transactionalId: `${topic}-0`, seq: 1, marker: { partition: 0 } });
      expect(await readTopic(topic, { readCommitted: false, count: 10 })).toHaveLength(10); // on the broker, in the open transaction
      // Written after the pre-commit: held for the next transaction, so committing the first cannot publish them.
      await writer.write({ rows: rows(10, 5), kinds: null });
      await sleep(300);
      expect(await readTopic(topic, { readCommitted: true, quietMs: 1000 })).toHaveLength(0);
      await writer.checkpointComplete!(first);
      expect(ids(await readTopic(topic, { readCommitted: true, count: 10, quietMs: 1000 }))).toEqual(range(0, 10));
      // A repeated or late notification commits nothing more.
      await writer.checkpointComplete!(first);
      const second = await checkpoint(writer);
      expect(second.seq).toBe(2);
      await writer.checkpointComplete!(second);
      expect(ids(await readTopic(topic, { readCommitted: true, count: 15 }))).toEqual(range(0, 15));
      // A checkpoint without new records starts no transaction: its snapshot is already committed.
      expect(await checkpoint(writer)).toMatchObject({ seq: 2, marker: null });
    } finally {
      await writer.close();
    }
    const markers = (await (await admin()).fetchTopicMetadata({ topics: [MARKER_TOPIC] })).topics[0];
    expect(markers.partitions).toHaveLength(1);
  });

  it('a transaction closed without flush, or left open by a crash, never becomes visible', async () => {
    const topic = await createTopic(uniqueTopic('eo-abort'));
    // Closed without flush: aborted.
    const closed = await openSink(topic, eo(topic));
    await closed.write({ rows: rows(0, 5), kinds: null });
    await sleep(200);
    await closed.close();
    // Crashed: written, never flushed nor closed. The next writer with the same id fences it and Kafka aborts its transaction.
    const crashed = await openSink(topic, eo(topic));
    await crashed.write({ rows: rows(100, 5), kinds: null });
    await sleep(200);
    const next = await openSink(topic, eo(topic));
    try {
      await next.write({ rows: rows(200, 3), kinds: null });
      await next.checkpointComplete!(await checkpoint(next));
    } finally {
      await next.close();
      await crashed.close();
    }
    expect(ids(await readTopic(topic, { readCommitted: true, count: 3 }))).toEqual([200, 201, 202]);
    // All 13 were written; only the committed 3 are visible.
    expect(await readTopic(topic, { readCommitted: false, count: 13 })).toHaveLength(13);
  });

  it('a crash between pre-commit and checkpointComplete: the restore commits the checkpoint\'s transaction, whose records appear once', async () => {
    const topic = await createTopic(uniqueTopic('eo-precommitted'));
    const crashed = await openSink(topic, eo(topic));
    const zombies: SinkWriter[] = [crashed];
    try {
      await crashed.write({ rows: rows(0, 5), kinds: null });
      const previous = await checkpoint(crashed);
      await crashed.checkpointComplete!(previous);
      await crashed.write({ rows: rows(5, 5), kinds: null });
      const latest = await checkpoint(crashed); // stored, then the job dies before checkpointComplete
      // Its own producer epoch: the transaction is named exactly.
      expect(latest.names!.epoch).not.toBe(previous.names!.epoch);
      expect(await readTopic(topic, { readCommitted: true, count: 5, quietMs: 1000 })).toHaveLength(5);
      const restored = await openSink(topic, eo(topic), latest);
      zombies.push(restored);
      expect(ids(await readTopic(topic, { readCommitted: true, count: 10, quietMs: 1000 }))).toEqual(range(0, 10));
      // The crashed writer is fenced: its late commit fails.
      await expect(crashed.checkpointComplete!(latest)).rejects.toThrow();
      await restored.write({ rows: rows(10, 5), kinds: null });
      const next = await checkpoint(restored);
      expect(next.seq).toBe(latest.seq + 1);
      await restored.checkpointComplete!(next);
    } finally {
      await Promise.all(zombies.map((w) => w.close()));
    }
    expect(ids(await readTopic(topic, { readCommitted: true, count: 15, quietMs: 1000 }))).toEqual(range(0, 15));
  });

  it('restoring a checkpoint whose transaction was committed commits nothing the crash left after it, pre-committed or not', async () => {
    const topic = await createTopic(uniqueTopic('eo-later'));
    const crashed = await openSink(topic, eo(topic));
    let restored: SinkWriter | null = null;
    try {
      await crashed.write({ rows: rows(0, 5), kinds: null });
      const stored = await checkpoint(crashed);
      await crashed.checkpointComplete!(stored);
      // The next interval is pre-committed under the same transactional id, its checkpoint never stored.
      await crashed.write({ rows: rows(5, 5), kinds: null });
      await checkpoint(crashed);
      restored = await openSink(topic, eo(topic), stored);
      await restored.write({ rows: rows(5, 2), kinds: null });
      await restored.checkpointComplete!(await checkpoint(restored));
    } finally {
      await restored?.close();
      await crashed.close();
    }
    expect(ids(await readTopic(topic, { readCommitted: true, count: 7, quietMs: 1500 }))).toEqual(range(0, 7));
  });

  it('a writer closed after its pre-commit at parallelism 1 aborts it: the restore refuses that checkpoint', async () => {
    const topic = await createTopic(uniqueTopic('eo-closed'));
    const closed = await openSink(topic, eo(topic));
    await closed.write({ rows: rows(0, 5), kinds: null });
    const latest = await checkpoint(closed);
    await closed.close();
    const refused = createKafkaSink(kafkaSinkContext(topic, SCHEMA, eo(topic)), false);
    await expect(refused.open(latest)).rejects.toBeInstanceOf(UncommittedCheckpointError);
    expect(await readTopic(topic, { readCommitted: true, quietMs: 1000 })).toHaveLength(0);
  });

  it('a writer of one of several subtasks closed after its pre-commit leaves it open: the restore commits it', async () => {
    const topic = await createTopic(uniqueTopic('eo-left-open'));
    const ctx = { ...kafkaSinkContext(topic, SCHEMA, eo(topic)), subtask: { index: 1, parallelism: 3 } };
    const closed = createKafkaSink(ctx, false);
    await closed.open(null);
    await closed.write({ rows: rows(0, 5), kinds: null });
    const latest = await checkpoint(closed);
    expect(latest.transactionalId).toBe(`${topic}-1`);
    await closed.close(); // cancelled before its commit request came: other subtasks may have committed
    const restored = createKafkaSink(ctx, false);
    try {
      await restored.open(latest);
    } finally {
      await restored.close();
    }
    expect(ids(await readTopic(topic, { readCommitted: true, count: 5, quietMs: 1000 }))).toEqual(range(0, 5));
  });

  it('a crash after checkpointComplete: the checkpoint restores and its records appear once', async () => {
    const topic = await createTopic(uniqueTopic('eo-committed'));
    const crashed = await openSink(topic, eo(topic));
    let restored: SinkWriter | null = null;
    try {
      await crashed.write({ rows: rows(0, 5), kinds: null });
      const latest = await checkpoint(crashed);
      await crashed.checkpointComplete!(latest);
      // Records after the checkpoint reach the broker in the next transaction; the crash leaves it open.
      await crashed.write({ rows: rows(5, 3), kinds: null });
      await sleep(300);
      restored = await openSink(topic, eo(topic), latest);
      await restored.write({ rows: rows(5, 3), kinds: null });
      const next = await checkpoint(restored);
      expect(next.seq).toBe(latest.seq + 1);
      await restored.checkpointComplete!(next);
    } finally {
      await restored?.close();
      await crashed.close();
    }
    expect(ids(await readTopic(topic, { readCommitted: true, count: 8, quietMs: 1000 }))).toEqual(range(0, 8));
  });

  it('a checkpoint whose completion never comes is committed with the next one; its late completion publishes nothing early', async () => {
    const topic = await createTopic(uniqueTopic('eo-superseded'));
    const writer = await openSink(topic, eo(topic));
    let restored: SinkWriter | null = null;
    try {
      await writer.write({ rows: rows(0, 5), kinds: null });
      const lost = await checkpoint(writer);
      await writer.write({ rows: rows(5, 5), kinds: null });
      const next = await checkpoint(writer); // still the same transaction, marked again
      expect(next.seq).toBe(lost.seq + 1);
      await writer.checkpointComplete!(lost); // it now holds the next interval too, whose checkpoint may not be stored
      expect(await readTopic(topic, { readCommitted: true, quietMs: 1000 })).toHaveLength(0);
      await writer.checkpointComplete!(next);
      expect(ids(await readTopic(topic, { readCommitted: true, count: 10 }))).toEqual(range(0, 10));
      restored = await openSink(topic, eo(topic), next);
    } finally {
      await restored?.close();
      await writer.close();
    }
  });

  it('checkpoints, crashes at every phase and restores (falling back past refused checkpoints) write each record exactly once', async () => {
    const topic = await createTopic(uniqueTopic('eo-protocol'));
    const input = rows(0, 40);
    /** Stored checkpoints, oldest first: where the input was, and the sink's state. */
    const stored: { position: number; sink: unknown }[] = [];
    const writers: SinkWriter[] = [];
    let writer!: SinkWriter;
    let position = 0;
    let refusals = 0;

    // The runtime's restore: the newest stored checkpoint; one the sink refuses is discarded (its output was
    // aborted for good) and the one before it tried.
    async function restore(): Promise<void> {
      for (;;) {
        const latest = stored.at(-1);
        const candidate = createKafkaSink(kafkaSinkContext(topic, SCHEMA, eo(topic)), false);
        try {
          await candidate.open(latest?.sink ?? null);
        } catch (e) {
          if (!(e instanceof UncommittedCheckpointError)) throw e;
          refusals++;
          stored.pop();
          continue;
        }
        writers.push((writer = candidate));
        position = latest?.position ?? 0;
        return;
      }
    }
    const write = async (n: number) => {
      await writer.write({ rows: input.slice(position, position + n), kinds: null });
      position += n;
    };
    /**
     * Flush and snapshot, store; 'crash': the job dies before checkpointComplete; 'cancel': the writer is
     * closed before it (at parallelism 1 that aborts the pre-committed transaction).
     */
    const takeCheckpoint = async (then: 'complete' | 'crash' | 'cancel' = 'complete') => {
      const state = await checkpoint(writer);
      stored.push({ position, sink: state });
      if (then === 'complete') await writer.checkpointComplete!(state);
      if (then === 'cancel') await writer.close();
    };

    try {
      await restore();
      await write(5); await takeCheckpoint();
      await write(5); await takeCheckpoint();
      await takeCheckpoint(); // an interval without records
      await write(5); await takeCheckpoint('crash'); // crash after the pre-commit
      await restore(); // commits the last checkpoint's transaction and restores it
      expect(position).toBe(15);
      await write(5); await takeCheckpoint('cancel');
      await restore(); // refuses the last checkpoint (aborted), restores the one before
      expect(position).toBe(15);
      await write(5); await takeCheckpoint();
      await write(3); await sleep(200); // crash in mid-interval: sent, never flushed
      await restore();
      expect(position).toBe(20);
      await write(5); await takeCheckpoint();
      await write(4); await takeCheckpoint('crash');
      await restore();
      await write(2); await takeCheckpoint('crash'); // and again right after the restore
      await restore();
      expect(position).toBe(31);
      await write(4); await takeCheckpoint(); // crash right after the commit
      await restore();
      await write(5);
      // End of input: the final flush and its commit.
      await takeCheckpoint();
      expect(refusals).toBe(1);
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
    expect(position).toBe(40);
    expect(ids(await readTopic(topic, { readCommitted: true, count: 40, quietMs: 1000 }))).toEqual(range(0, 40));
  });
});

// Issue 13.6: the exactly-once sinks of one job subtask (here: opened with the same run's signal) write into
// one transaction, so a crash can never leave one sink's checkpoint output committed and the other's not.
describe('kafka sink: two exactly-once sinks of one subtask', { timeout: 90_000 }, () => {
  const eo = (prefix: string) => ({ format: 'json', 'sink.delivery-guarantee': 'exactly-once', 'sink.transactional-id-prefix': prefix });
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  async function openPair(topics: [string, string], prefix: string, restored: [unknown, unknown] = [null, null]): Promise<SinkWriter[]> {
    const signal = new AbortController().signal;
    const writers: SinkWriter[] = [];
    for (const [i, topic] of topics.entries()) {
      const w = createKafkaSink({ ...kafkaSinkContext(topic, SCHEMA, eo(`${prefix}-${i}`)), table: `out${i}`, signal }, false);
      try {
        await w.open(restored[i]);
      } catch (e) {
        await Promise.all(writers.map((x) => x.close()));
        throw e;
      }
      writers.push(w);
    }
    return writers;
  }

  /** A checkpoint as the runtime takes it: every sink flushed, then their snapshots. */
  async function checkpoint(writers: SinkWriter[]): Promise<KafkaSinkState[]> {
    for (const w of writers) await w.flush();
    return writers.map((w) => w.snapshot!() as KafkaSinkState);
  }

  it('commit together: a crash after the first sink\'s checkpointComplete leaves both topics with the checkpoint\'s records, and both restore', async () => {
    const topics: [string, string] = [await createTopic(uniqueTopic('eo-pair-a')), await createTopic(uniqueTopic('eo-pair-b'))];
    const prefix = uniqueTopic('pair');
    const crashed = await openPair(topics, prefix);
    let restored: SinkWriter[] = [];
    try {
      for (const w of crashed) await w.write({ rows: rows(0, 6), kinds: null });
      const states = await checkpoint(crashed);
      // One transaction: one id (the first sink's prefix and subtask 0), one marker.
      expect(states[1]).toEqual(states[0]);
      expect(states[0]).toMatchObject({ transactionalId: `${prefix}-0-0`, seq: 1, marker: { partition: 0 } });
      expect(await readTopic(topics[1], { readCommitted: true, quietMs: 1000 })).toHaveLength(0);
      // The checkpoint is stored; the first sink hears of it, then the process dies before the second does.
      await crashed[0].checkpointComplete!(states[0]);
      for (const topic of topics) expect(ids(await readTopic(topic, { readCommitted: true, count: 6, quietMs: 1000 }))).toEqual(range(0, 6));
      // Both sinks restore that checkpoint (with a transaction each, the second refused it: its records were
      // aborted, and the replay from the checkpoint before wrote the first topic's again).
      restored = await openPair(topics, prefix, [states[0], states[1]]);
      for (const w of restored) await w.write({ rows: rows(6, 4), kinds: null });
      const next = await checkpoint(restored);
      expect(next[0].seq).toBe(2);
      await Promise.all(restored.map((w, i) => w.checkpointComplete!(next[i])));
    } finally {
      await Promise.all([...restored, ...crashed].map((w) => w.close()));
    }
    for (const topic of topics) expect(ids(await readTopic(topic, { readCommitted: true, count: 10, quietMs: 1000 }))).toEqual(range(0, 10));
  });

  it('a crash before the commit: both sinks restore the checkpoint, committing their one transaction, and write both topics once', async () => {
    const topics: [string, string] = [await createTopic(uniqueTopic('eo-pair-c')), await createTopic(uniqueTopic('eo-pair-d'))];
    const prefix = uniqueTopic('pair');
    const crashed = await openPair(topics, prefix);
    let restored: SinkWriter[] = [];
    try {
      for (const w of crashed) await w.write({ rows: rows(0, 3), kinds: null });
      const previous = await checkpoint(crashed);
      await Promise.all(crashed.map((w, i) => w.checkpointComplete!(previous[i])));
      for (const w of crashed) await w.write({ rows: rows(3, 3), kinds: null });
      const latest = await checkpoint(crashed); // stored, then the job dies before checkpointComplete
      restored = await openPair(topics, prefix, [latest[0], latest[1]]);
      for (const w of restored) await w.write({ rows: rows(6, 3), kinds: null });
      const next = await checkpoint(restored);
      await Promise.all(restored.map((w, i) => w.checkpointComplete!(next[i])));
    } finally {
      await Promise.all([...restored, ...crashed].map((w) => w.close()));
    }
    for (const topic of topics) expect(ids(await readTopic(topic, { readCommitted: true, count: 9, quietMs: 1000 }))).toEqual(range(0, 9));
  });
});
