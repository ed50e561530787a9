// A source hands its row objects back to be decoded into again when no reader keeps them (operator-graph.ts
// releasesRows): generated stages, joins (they keep copies, or only values: state/flat-join-state.ts) and the
// append Top-N (it copies the rows entering its top). Over many source batches (4096 lines each) a join and a
// Top-N still give the answers computed here, fused and unfused: nothing they keep or send changes under them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { collectBothWays, sortRows, tempDir } from '../helpers/tables.js';

const BIDS = 20_000;
const bids = Array.from({ length: BIDS }, (_, i) => ({ auction: i, bidder: (i * 7) % 101, price: (i * 7919) % 1000 }));
const persons = Array.from({ length: 101 }, (_, id) => ({ id, name: `person ${id}` })).filter((p) => p.id % 3 !== 0);

function environment(): TableEnvironment {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'bids.csv'), bids.map((b) => `${b.auction},${b.bidder},${b.price}`).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'persons.csv'), persons.map((p) => `${p.id},${p.name}`).join('\n') + '\n');
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'bids.csv')}', 'format' = 'csv')`);
  env.executeSql(`CREATE TABLE persons (id BIGINT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'persons.csv')}', 'format' = 'csv')`);
  return env;
}

describe('rows of sources read past one batch, through readers that keep none of them', { timeout: 60_000 }, () => {
  it('a join of two sources: every bid with its bidder', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery('SELECT b.auction, b.price, p.name FROM bids b JOIN persons p ON b.bidder = p.id'));
    const names = new Map(persons.map((p) => [p.id, p.name]));
    const expected = bids.filter((b) => names.has(b.bidder)).map((b) => ({ auction: b.auction, price: b.price, name: names.get(b.bidder) }));
    expect(rows).toHaveLength(expected.length);
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });

  it('an append Top-N of a source: the two highest bids per bidder, earlier bids first on equal prices', async () => {
    const rows = await collectBothWays(() => environment().sqlQuery(
      'SELECT bidder, rn, auction, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2'));
    const byBidder = new Map<number, typeof bids>();
    for (const b of bids) byBidder.set(b.bidder, [...(byBidder.get(b.bidder) ?? []), b]);
    const expected = [...byBidder].flatMap(([bidder, bs]) => [...bs].sort((x, y) => y.price - x.price || x.auction - y.auction).slice(0, 2)
      .map((b, i) => ({ bidder, rn: i + 1, auction: b.auction, price: b.price })));
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });
});
