// A table is checked against its connector's declarations once, in one place: the DDL at compile time and
// `--set` at run time fail with the same message, and nothing outside runtime/connectors names a connector.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment, $ } from 'sluice';
import { optimize } from '../../compiler/passes/index.js';
import { connectors } from '../../runtime/connectors/registry.js';
import type { JobPlan } from '../../runtime/core/plan.js';
import { applyOverrides } from '../../runtime/exec/apply-overrides.js';

const KAFKA = `'connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:9092', 'format' = 'csv'`;

/** The optimized plan of `src` (with extra WITH options) → `out`, grouped by k when `updating`, or the compile error's message. */
function compile(extraSource: string, sink: string, updating = false, source = KAFKA): JobPlan | string {
  const tEnv = TableEnvironment.create();
  try {
    tEnv.executeSql(`CREATE TABLE src (k BIGINT, v BIGINT) WITH (${source}${extraSource})`);
    tEnv.executeSql(`CREATE TABLE out1 (k BIGINT, v BIGINT) WITH (${sink})`);
    const t = tEnv.from('src');
    (updating ? t.groupBy($('k')).select($('k'), $('v').sum().as('v')) : t).executeInsert('out1');
    return optimize(tEnv.buildPlan('check', []));
  } catch (e) {
    return (e as Error).message;
  }
}

function override(plan: JobPlan | string, sets: string[]): string {
  if (typeof plan === 'string') throw new Error(plan);
  try {
    applyOverrides(plan, { sets });
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('one check of a table, in the DDL and in --set', () => {
  const cases: { what: string; ddl: string; sets: string[]; message: RegExp }[] = [
    { what: 'a value outside an option\'s set', ddl: `, 'scan.startup.mode' = 'sometime'`, sets: ['src.scan.startup.mode=sometime'], message: /invalid value 'sometime' for option 'scan.startup.mode'/ },
    { what: 'an unknown option', ddl: `, 'scan.startup.mod' = 'earliest-offset'`, sets: ['src.scan.startup.mod=earliest-offset'], message: /unsupported option 'scan.startup.mod'/ },
    { what: 'a check across options (the connector\'s validate)', ddl: `, 'scan.startup.mode' = 'timestamp'`, sets: ['src.scan.startup.mode=timestamp'], message: /'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.what} with the same message`, () => {
      const fromDdl = compile(c.ddl, `'connector' = 'blackhole'`);
      expect(fromDdl).toMatch(c.message);
      expect(fromDdl).toMatch(/^table 'src' \(connector 'kafka'\): /);
      const fromSet = override(compile('', `'connector' = 'blackhole'`), c.sets);
      expect(fromSet).toBe(fromDdl);
    });
  }

  // The Kafka and embedded connectors' option schemas (their folder's options.ts), in DDL and in --set alike.
  const DATAGEN = `'connector' = 'datagen'`;
  const FS = `'connector' = 'filesystem', 'path' = '/tmp/never-written', 'format' = 'csv'`;
  const sinkCases: { what: string; sink: string; bad: string; sets: string[]; message: RegExp }[] = [
    { what: 'print: a value outside a boolean', sink: `'connector' = 'print'`, bad: `, 'standard-error' = 'yes'`, sets: ['out1.standard-error=yes'], message: /invalid value 'yes' for option 'standard-error'/ },
    { what: 'blackhole: any option', sink: `'connector' = 'blackhole'`, bad: `, 'path' = '/x'`, sets: ['out1.path=/x'], message: /unsupported option 'path'/ },
    { what: 'filesystem: a memory size', sink: FS, bad: `, 'sink.rolling-policy.file-size' = 'big'`, sets: ['out1.sink.rolling-policy.file-size=big'], message: /invalid value 'big' for option 'sink.rolling-policy.file-size': must be a memory size/ },
    { what: 'filesystem: a format option', sink: FS, bad: `, 'csv.ignore-parse-errors' = 'maybe'`, sets: ['out1.csv.ignore-parse-errors=maybe'], message: /invalid value 'maybe' for option 'csv.ignore-parse-errors'/ },
    { what: 'kafka sink: a check across options', sink: `${KAFKA}`, bad: `, 'sink.delivery-guarantee' = 'exactly-once'`, sets: ['out1.sink.delivery-guarantee=exactly-once'], message: /'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'/ },
    { what: 'kafka sink: a partitioner', sink: `${KAFKA}`, bad: `, 'sink.partitioner' = 'random'`, sets: ['out1.sink.partitioner=random'], message: /invalid value 'random' for option 'sink.partitioner'/ },
  ];
  for (const c of sinkCases) {
    it(`rejects ${c.what} with the same message`, () => {
      const fromDdl = compile('', c.sink + c.bad);
      expect(fromDdl).toMatch(c.message);
      expect(fromDdl).toMatch(/^table 'out1' \(connector '[a-z-]+'\): /);
      expect(override(compile('', c.sink), c.sets)).toBe(fromDdl);
    });
  }

  const sourceCases: { what: string; bad: string; sets: string[]; message: RegExp }[] = [
    { what: 'datagen: a rate below 1', bad: `, 'rows-per-second' = '0'`, sets: ['src.rows-per-second=0'], message: /invalid value '0' for option 'rows-per-second': must be at least 1/ },
    { what: 'datagen: a field option of no column', bad: `, 'fields.nope.kind' = 'sequence'`, sets: ['src.fields.nope.kind=sequence'], message: /nope/ },
    { what: 'datagen: a sequence without its end', bad: `, 'fields.k.kind' = 'sequence', 'fields.k.start' = '1'`, sets: ['src.fields.k.kind=sequence', 'src.fields.k.start=1'], message: /fields\.k\.end/ },
  ];
  for (const c of sourceCases) {
    it(`rejects ${c.what} with the same message`, () => {
      const fromDdl = compile(c.bad, `'connector' = 'blackhole'`, false, DATAGEN);
      expect(fromDdl).toMatch(c.message);
      expect(fromDdl).toMatch(/^table 'src' \(connector 'datagen'\): /);
      expect(override(compile('', `'connector' = 'blackhole'`, false, DATAGEN), c.sets)).toBe(fromDdl);
    });
  }

  it('upsert-kafka: a check across options, in DDL and in --set', () => {
    const upsert = `'connector' = 'upsert-kafka', 'topic' = 'o', 'properties.bootstrap.servers' = '127.0.0.1:9092', 'key.format' = 'json', 'value.format' = 'json'`;
    const tEnv = () => {
      const t = TableEnvironment.create();
      t.executeSql(`CREATE TABLE src (k BIGINT, v BIGINT) WITH (${KAFKA})`);
      return t;
    };
    const build = (extra: string): JobPlan | string => {
      try {
        const t = tEnv();
        t.executeSql(`CREATE TABLE out1 (k BIGINT, v BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (${upsert}${extra})`);
        t.from('src').groupBy($('k')).select($('k'), $('v').sum().as('v')).executeInsert('out1');
        return optimize(t.buildPlan('check', []));
      } catch (e) {
        return (e as Error).message;
      }
    };
    const fromDdl = build(`, 'sink.buffer-flush.max-rows' = '10'`);
    expect(fromDdl).toMatch(/table 'out1' \(connector 'upsert-kafka'\): 'sink.buffer-flush.max-rows' and 'sink.buffer-flush.interval' must both be above zero/);
    expect(override(build(''), ['out1.sink.buffer-flush.max-rows=10'])).toBe(fromDdl);
  });

  it('checks the changelog of a swapped sink as the compiler does', () => {
    const fromDdl = compile('', `'connector' = 'filesystem', 'path' = '/tmp/never-written', 'format' = 'csv'`, true);
    expect(fromDdl).toMatch(/table sink 'out1' \(connector 'filesystem'\) only accepts inserts/);
    const plan = compile('', `'connector' = 'print'`, true);
    expect(override(plan, ['out1.connector=filesystem', 'out1.path=/tmp/never-written', 'out1.format=csv'])).toBe(fromDdl);
    const noKey = compile('', `'connector' = 'jdbc', 'url' = 'jdbc:mysql://127.0.0.1:3306/db', 'table-name' = 'x'`, true);
    expect(noKey).toMatch(/table sink 'out1' receives updates but declares no primary key/);
    expect(override(plan, ['out1.connector=jdbc', 'out1.url=jdbc:mysql://127.0.0.1:3306/db', 'out1.table-name=x'])).toBe(noKey);
  });

  it('names an unknown connector the same way', () => {
    const fromDdl = compile('', `'connector' = 'blackhol'`);
    expect(fromDdl).toMatch(/unknown connector 'blackhol'/);
    expect(override(compile('', `'connector' = 'print'`), ['out1.connector=blackhol'])).toBe(fromDdl);
  });

  it('refuses a swap to a source producing updates (the table has no primary key), accepts datagen', () => {
    const plan = compile('', `'connector' = 'print'`);
    expect(override(plan, ['src.connector=upsert-kafka', 'src.topic=t', 'src.properties.bootstrap.servers=127.0.0.1:9092'])).toMatch(/an upsert-kafka table needs a primary key/);
    expect(override(plan, ['src.connector=datagen'])).toBe('accepted');
  });
});

describe('connectors declare their behaviour', () => {
  it('no compiler file names a connector', () => {
    const root = path.resolve(__dirname, '../../compiler');
    const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      for (const name of connectors.keys()) if (text.includes(`'${name}'`)) offenders.push(`${f}: '${name}'`);
    }
    expect(offenders).toEqual([]);
  });
});
