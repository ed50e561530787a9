// The collect sink: rows with their kinds into a buffer (what collect() reads back), or straight to a consumer
// registered under the sink's id, in changelog order and without copies.
import { describe, expect, it } from 'vitest';
import { DataTypes } from '../../runtime/core/data-types.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { collectBuffers, createSink, takeCollected, type CollectConsumer } from '../../runtime/connectors/collect/sink.js';
import { sinkContext } from './context.js';

const schema = [{ name: 'k', type: DataTypes.BIGINT() }, { name: 'v', type: DataTypes.BIGINT() }];
const batches: { rows: Row[]; kinds: RowKind[] | null }[] = [
  { rows: [{ k: 1, v: 10 }, { k: 2, v: 20 }], kinds: null },
  { rows: [{ k: 1, v: 10 }, { k: 1, v: 11 }], kinds: [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER] },
];
const expected = [
  { kind: RowKind.INSERT, row: batches[0].rows[0] }, { kind: RowKind.INSERT, row: batches[0].rows[1] },
  { kind: RowKind.UPDATE_BEFORE, row: batches[1].rows[0] }, { kind: RowKind.UPDATE_AFTER, row: batches[1].rows[1] },
];

async function writeBatches(id: string): Promise<void> {
  const sink = createSink(sinkContext(schema, { connector: 'collect', id }));
  await sink.open(null);
  for (const b of batches) await sink.write(b);
  await sink.close();
}

describe('collect sink', () => {
  it('buffers the changelog for collect()', async () => {
    await writeBatches('buffered');
    expect(takeCollected('buffered')).toEqual(expected);
    expect(takeCollected('buffered')).toEqual([]);
  });

  it('hands each row to a consumer registered under its id, the same objects in the same order', async () => {
    const got: { kind: RowKind; row: Row }[] = [];
    const consumer: CollectConsumer = { accept: (row, kind) => got.push({ kind, row }) };
    collectBuffers().set('consumed', consumer);
    await writeBatches('consumed');
    expect(got).toEqual(expected);
    got.forEach((g, i) => expect(g.row).toBe(expected[i].row));
    expect(() => takeCollected('consumed')).toThrow(/handed its rows to a consumer/);
  });
});
