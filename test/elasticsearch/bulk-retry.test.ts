// The elasticsearch-7 sink's handling of rejected bulk items (429 es_rejected_execution_exception), which a
// single idle node cannot be made to produce on demand: the bulk client is replaced by a scripted one, while
// everything else (buffering, retry, error wording) is the real sink. The real-server tests are in
// elasticsearch-sink.test.ts.
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import type * as Es from '@elastic/elasticsearch' with { 'resolution-mode': 'require' };
import type { BulkItemResult } from '../../runtime/connectors/elasticsearch/client.js';
import { elasticsearch7 } from '../../runtime/connectors/elasticsearch/connector.js';
import type { SinkWriter } from '../../runtime/core/connector.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { ExternalError } from '../../runtime/core/errors.js';
import { sinkContext } from '../connectors/context.js';

const { errors } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof Es;

/** One scripted answer per bulk request: given the actions' ids, the items (or a thrown request error). */
type Answer = (ids: string[]) => BulkItemResult[] | Promise<BulkItemResult[]>;
const script: Answer[] = [];
const requests: string[][] = [];

vi.mock('../../runtime/connectors/elasticsearch/client.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../runtime/connectors/elasticsearch/client.js')>();
  return {
    ...original,
    createBulkClient: () => ({
      async bulk(ndjson: string) {
        const ids = ndjson.split('\n').filter((l) => l.startsWith('{"index"') || l.startsWith('{"delete"'))
          .map((l) => (Object.values(JSON.parse(l))[0] as { _id: string })._id);
        requests.push(ids);
        const answer = script.shift();
        if (!answer) throw new Error('no scripted answer left');
        return answer(ids);
      },
      async close() {},
    }),
  };
});

const ok = (ids: string[]): BulkItemResult[] => ids.map((id) => ({ index: 'i', id, status: 201 }));
const rejecting = (reject: string[]): Answer => (ids) => ids.map((id) => (reject.includes(id)
  ? { index: 'i', id, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' } }
  : { index: 'i', id, status: 201 }));

const schema: Field[] = [{ name: 'id', type: DataTypes.STRING() }, { name: 'v', type: DataTypes.BIGINT() }];

async function openSink(options: Record<string, string>): Promise<{ sink: SinkWriter; recordsOut: () => number }> {
  script.length = 0;
  requests.length = 0;
  const ctx = { ...sinkContext(schema, { hosts: 'http://127.0.0.1:1', index: 'i', 'sink.bulk-flush.interval': '0', ...options }), primaryKey: ['id'] };
  const sink = (await elasticsearch7.load()).createSink!(ctx);
  await sink.open(null);
  return { sink, recordsOut: () => ctx.metrics.recordsOut };
}

const rows = (...ids: string[]) => ({ rows: ids.map((id, v) => ({ id, v })), kinds: null });

describe('elasticsearch-7 sink: rejected and slow bulk requests', () => {
  it('sends only the rejected items again, after the backoff delay', async () => {
    const { sink, recordsOut } = await openSink({ 'sink.bulk-flush.backoff.strategy': 'CONSTANT', 'sink.bulk-flush.backoff.delay': '10ms' });
    script.push(rejecting(['b', 'c']), rejecting(['c']), ok);
    await sink.write(rows('a', 'b', 'c', 'd'));
    await sink.flush();
    expect(requests).toEqual([['a', 'b', 'c', 'd'], ['b', 'c'], ['c']]);
    expect(recordsOut()).toBe(4);
    await sink.close();
  });

  it('retries a request that found no node, then fails once the retries are spent', async () => {
    const { sink } = await openSink({ 'sink.bulk-flush.backoff.strategy': 'EXPONENTIAL', 'sink.bulk-flush.backoff.delay': '5ms', 'sink.bulk-flush.backoff.max-retries': '2' });
    const down: Answer = () => { throw new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:1', undefined as never); };
    script.push(down, ok);
    await sink.write(rows('a'));
    await sink.flush();
    script.push(rejecting(['b']), rejecting(['b']), rejecting(['b']));
    await sink.write(rows('b'));
    const error = await sink.flush().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toBe(
      "elasticsearch: bulk request of 1 actions to index 'i' of table 'out' failed after 3 attempts (EXPONENTIAL backoff, max-retries 2): " +
      "1 bulk items rejected, e.g. id 'b': 429 es_rejected_execution_exception: rejected execution of coordinating operation");
    await sink.close();
  });

  it('does not retry with the backoff DISABLED, as Flink by default', async () => {
    const { sink } = await openSink({ 'sink.bulk-flush.backoff.strategy': 'DISABLED' });
    script.push(rejecting(['a']));
    await sink.write(rows('a'));
    await expect(sink.flush()).rejects.toThrow(/failed after 1 attempt \(backoff DISABLED\): 1 bulk items rejected/);
    expect(requests).toHaveLength(1);
    await sink.close();
  });

  it('keeps one action per document: a newer change replaces a buffered one', async () => {
    const { sink } = await openSink({ 'sink.bulk-flush.max-actions': '3' });
    script.push(ok);
    await sink.write({ rows: [{ id: 'a', v: 1 }, { id: 'b', v: 1 }, { id: 'a', v: 2 }, { id: 'b', v: 2 }, { id: 'a', v: 3 }], kinds: null });
    // Two distinct documents: below max-actions, so nothing was sent yet.
    expect(requests).toEqual([]);
    await sink.flush();
    expect(requests).toEqual([['a', 'b']]);
    await sink.close();
  });

  it('holds writers back while a request is in flight and several bulks are buffered', async () => {
    const { sink } = await openSink({ 'sink.bulk-flush.max-actions': '2' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    script.push(async (ids) => { await gate; return ok(ids); }, ok, ok, ok, ok, ok);
    const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `d${from + i}`);
    expect(sink.write(rows(...ids(0, 2)))).toBeUndefined();
    expect(sink.write(rows(...ids(2, 5)))).toBeUndefined();
    // 2 in flight, 8 buffered: four bulks' worth, the high-water mark.
    const held = sink.write(rows(...ids(7, 3)));
    expect(held).toBeInstanceOf(Promise);
    let settled = false;
    void held!.then(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    release();
    await held;
    await sink.flush();
    expect(requests.flat().sort()).toEqual(ids(0, 10).sort());
    expect(requests.every((r) => r.length <= 2)).toBe(true);
    await sink.close();
  });
});
