// debezium-json and canal-json on the real Kafka broker: Debezium's change events of products (with the
// tombstone Debezium writes after each delete, and its record keys) are read by a SQL query from a topic and
// give Flink's changelog for the same events (flink-changelogs.json); an updating query written to a kafka
// table in each changelog format becomes the records Flink's serializers write (an update as a deletion and a
// creation), which the same format reads back as the query's changelog.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { ROW_KIND_SHORT } from '../../runtime/core/row.js';
import { BOOTSTRAP, closeAdmin, createTopic, produce, readTopic, uniqueTopic } from '../kafka/helpers.js';

afterAll(closeAdmin);

const here = path.dirname(fileURLToPath(import.meta.url));
const flink: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(here, 'flink-changelogs.json'), 'utf8')).changelogs;
const events = fs.readFileSync(path.join(here, 'products.debezium.jsonl'), 'utf8').trim().split('\n');

const kafkaTable = (name: string, topic: string, format: string, columns = 'id INT, name STRING, description STRING, weight DOUBLE, category STRING') =>
  `CREATE TABLE ${name} (${columns}) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
   'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = '${format}')`;

const lines = (changelog: { kind: number; row: Record<string, unknown> }[]) =>
  changelog.map(({ kind, row }) => `${ROW_KIND_SHORT[kind]} ${JSON.stringify(Object.values(row))}`);
// Flink's lines print whole doubles as 1.0; JSON.parse reads them as numbers like sluice's.
const normal = (l: string) => `${l.slice(0, 2)} ${JSON.stringify(JSON.parse(l.slice(3)))}`;

describe('changelog formats on Kafka', { timeout: 120_000 }, () => {
  it('reads Debezium change events (keys, tombstones) from a topic as Flink does', async () => {
    const topic = await createTopic(uniqueTopic('debezium'));
    // As Debezium's MySQL connector writes them: the key holds the primary key, a delete is followed by a tombstone.
    await produce(topic, events.flatMap((value) => {
      const e = JSON.parse(value);
      const key = JSON.stringify({ id: (e.after ?? e.before).id });
      return e.op === 'd' ? [{ key, value }, { key, value: null }] : [{ key, value }];
    }));
    const env = TableEnvironment.create();
    env.executeSql(kafkaTable('products', topic, 'debezium-json'));
    const got = lines(await env.sqlQuery('SELECT * FROM products').execute().collectChangelog());
    expect(got).toEqual(flink['SELECT * FROM products'].map(normal));
  });

  it.each([
    ['debezium-json', (v: any) => [v.op, v.before, v.after]],
    ['canal-json', (v: any) => [v.type, v.data]],
  ])('writes an updating query as %s records and reads them back', async (format, shape) => {
    const source = await createTopic(uniqueTopic('debezium-in'));
    const sink = await createTopic(uniqueTopic(`${format}-out`));
    await produce(source, events.map((value) => ({ value })));
    const env = TableEnvironment.create();
    env.executeSql(kafkaTable('products', source, 'debezium-json'));
    env.executeSql(kafkaTable('heavy', sink, format, 'id INT, name STRING, weight DOUBLE'));
    await env.executeSql('INSERT INTO heavy SELECT id, name, weight FROM products WHERE weight > 1').await();

    const written = (await readTopic(sink, { count: 10 })).map((r) => JSON.parse(r.value!));
    const expected = flink['SELECT id, name, weight FROM products WHERE weight > 1'].map((l) => {
      const values = JSON.parse(l.slice(3));
      const row = { id: values[0], name: values[1], weight: values[2] };
      const deletion = l.startsWith('-');
      return format === 'debezium-json'
        ? [deletion ? 'd' : 'c', deletion ? row : null, deletion ? null : row]
        : [deletion ? 'DELETE' : 'INSERT', [row]];
    });
    expect(written.map(shape)).toEqual(expected);

    // Read back, each -U is a deletion and each +U a creation, as Flink reads what its serializer wrote.
    env.executeSql(kafkaTable('heavy_back', sink, format, 'id INT, name STRING, weight DOUBLE'));
    const back = lines(await env.sqlQuery('SELECT * FROM heavy_back').execute().collectChangelog());
    expect(back).toEqual(flink['SELECT id, name, weight FROM products WHERE weight > 1'].map(normal).map((l) => l.replace(/^-U/, '-D').replace(/^\+U/, '+I')));
  });
});
