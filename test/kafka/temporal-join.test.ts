// An event-time temporal join against an upsert-kafka table on the real broker: the rates topic holds upserts
// (out of order within the watermark delay, two at the same time) and tombstones (the key only, no time), read
// by a bounded query; each order joins the rate valid at its time, computed here as Flink computes it behind
// its ChangelogNormalize: a tombstone deletes the key's last row at that row's time, and a delete is a version
// that matches nothing until the next one.
import { afterAll, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { formatTimestamp } from '../../runtime/core/values.js';
import { sortRows, writeJsonLines } from '../helpers/tables.js';
import { BOOTSTRAP, closeAdmin, createTopic, produce, uniqueTopic } from './helpers.js';

afterAll(closeAdmin);

const START = Date.UTC(2026, 0, 1);
const CURRENCIES = ['EUR', 'GBP', 'JPY'];

/** Upserts every 400 ms (jittered back by up to 700 ms), a repeat at the same time, and a tombstone every 17th. */
function rateChanges(): { currency: string; rate: number | null; rts: number | null }[] {
  const out: { currency: string; rate: number | null; rts: number | null }[] = [];
  for (let i = 0; i < 150; i++) {
    const currency = CURRENCIES[(i * 7 + (i >> 2)) % 3];
    const rts = START + i * 400 - ((i * 613) % 700);
    out.push({ currency, rate: i, rts });
    if (i % 23 === 11) out.push({ currency, rate: 500 + i, rts });
    if (i % 17 === 16) out.push({ currency: CURRENCIES[i % 3], rate: null, rts: null });
  }
  return out;
}

describe('temporal join against upsert-kafka', { timeout: 120_000 }, () => {
  it('each order joins the rate valid at its time; tombstones delete the last version', async () => {
    const changes = rateChanges();
    const topic = await createTopic(uniqueTopic('rates'));
    await produce(topic, changes.map((c) => ({
      key: JSON.stringify({ currency: c.currency }),
      value: c.rts === null ? null : JSON.stringify({ currency: c.currency, rate: c.rate, rts: formatTimestamp(c.rts, 3) }),
    })));
    const orders = Array.from({ length: 400 }, (_, i) => ({ id: i, currency: CURRENCIES[(i * 2) % 3], ots: START - 1000 + i * 150 - ((i * 331) % 900) }));
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE rates (currency STRING, rate INT, rts TIMESTAMP(3), WATERMARK FOR rts AS rts - INTERVAL '1' SECOND,
      PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
      'key.format' = 'json', 'value.format' = 'json', 'scan.bounded.mode' = 'latest-offset')`);
    env.executeSql(`CREATE TABLE orders (id INT, currency STRING, ots TIMESTAMP(3), WATERMARK FOR ots AS ots - INTERVAL '1' SECOND)
      WITH ('connector' = 'filesystem', 'path' = '${writeJsonLines(orders, ['ots'])}', 'format' = 'json')`);
    const rows = await env.sqlQuery('SELECT o.id, r.rate FROM orders o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.ots AS r ON o.currency = r.currency').execute().collect();

    // The versions per currency: time → rate (null: deleted); a tombstone stands for the last row of its key.
    const versions = new Map<string, Map<number, number | null>>(CURRENCIES.map((c) => [c, new Map()]));
    const last = new Map<string, number>();
    for (const c of changes) {
      if (c.rts !== null) {
        versions.get(c.currency)!.set(c.rts, c.rate);
        last.set(c.currency, c.rts);
      } else if (last.has(c.currency)) {
        versions.get(c.currency)!.set(last.get(c.currency)!, null);
        last.delete(c.currency);
      }
    }
    const expected = orders.map((o) => {
      const times = [...versions.get(o.currency)!.keys()].filter((t) => t <= o.ots);
      return { id: o.id, rate: times.length ? versions.get(o.currency)!.get(Math.max(...times))! : null };
    });
    expect(expected.some((e) => e.rate === null) && expected.some((e) => e.rate !== null)).toBe(true);
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });
});
