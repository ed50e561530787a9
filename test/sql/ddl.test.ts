// CREATE TABLE and the other DDL: the seed's tables (the three walkthroughs) parse into the expected
// TableDefs, every SPEC type maps to its DataType, and option and column locations point into the job file.
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../compiler/api/index.js';
import { DataTypes, typeToString } from '../../runtime/core/data-types.js';
import { createPaymentTables, createSpendReport, createTransactions } from './fixtures/seed-job.js';
import { createAllTypes, createComputed, createWithDdlVariants } from './fixtures/ddl-job.js';
import { compileError, fixtureLoc } from './helpers.js';

const columnTypes = (env: TableEnvironment, table: string) =>
  Object.fromEntries(env.tableDef(table)!.columns.map((c) => [c.name, c.kind === 'physical' ? typeToString(c.type) : c.kind]));

describe('seed tables', () => {
  it('transactions: types, watermark, options and their locations', () => {
    const env = TableEnvironment.create();
    createTransactions(env);
    const def = env.tableDef('transactions')!;
    expect(columnTypes(env, 'transactions')).toEqual({ account_id: 'BIGINT', amount: 'BIGINT', transaction_time: 'TIMESTAMP(3)' });
    expect(def.watermark).toMatchObject({ column: 'transaction_time', delayMs: 5000 });
    expect(def.primaryKey).toEqual([]);
    expect(def.options).toEqual({
      connector: 'kafka', topic: 'transactions', 'properties.bootstrap.servers': 'kafka:9092',
      'scan.startup.mode': 'earliest-offset', format: 'csv',
    });
    expect(def.loc).toEqual(fixtureLoc('seed-job.ts', 'transactions (\\n'));
    expect(def.optionLocs!.topic).toEqual(fixtureLoc('seed-job.ts', "'topic'"));
    expect(def.columns[1].loc).toEqual(fixtureLoc('seed-job.ts', 'amount BIGINT'));
    expect(def.watermark!.loc).toEqual(fixtureLoc('seed-job.ts', 'transaction_time AS'));
  });

  it('spend_report: a table-level primary key, its columns NOT NULL', () => {
    const env = TableEnvironment.create();
    createSpendReport(env);
    const def = env.tableDef('spend_report')!;
    expect(def.primaryKey).toEqual(['account_id', 'log_ts']);
    expect(columnTypes(env, 'spend_report')).toEqual({ account_id: 'BIGINT NOT NULL', log_ts: 'TIMESTAMP(3) NOT NULL', amount: 'BIGINT' });
    expect(def.watermark).toBeNull();
    expect(def.options).toMatchObject({ connector: 'jdbc', url: 'jdbc:mysql://mysql:3306/sql-demo', 'table-name': 'spend_report', password: 'demo-sql' });
  });

  it('payment_msg and es_sink (pyflink walkthrough, DDL in const template literals)', () => {
    const env = TableEnvironment.create();
    createPaymentTables(env);
    expect(columnTypes(env, 'payment_msg')).toEqual({ createTime: 'STRING', orderId: 'BIGINT', payAmount: 'DOUBLE', payPlatform: 'INT', provinceId: 'INT' });
    expect(env.tableDef('payment_msg')!.options['properties.group.id']).toBe('test_3');
    const es = env.tableDef('es_sink')!;
    // A column-level PRIMARY KEY without NOT ENFORCED, as the walkthrough writes it.
    expect(es.primaryKey).toEqual(['province']);
    expect(columnTypes(env, 'es_sink')).toEqual({ province: 'STRING NOT NULL', pay_amount: 'DOUBLE' });
    expect(es.options['document-id.key-delimiter']).toBe('$');
    expect(es.options['sink.bulk-flush.max-size']).toBe('42mb');
    // Locations resolve through the const the call passes.
    expect(es.optionLocs!.hosts).toEqual(fixtureLoc('seed-job.ts', "'hosts'"));
    expect(env.tableDef('payment_msg')!.columns[3].loc).toEqual(fixtureLoc('seed-job.ts', 'payPlatform INT'));
  });
});

describe('column types', () => {
  it('maps every SPEC type, with Flink defaults and NOT NULL', () => {
    const env = TableEnvironment.create();
    createAllTypes(env);
    expect(columnTypes(env, 'all_types')).toEqual({
      b: 'BOOLEAN NOT NULL', ti: 'TINYINT', si: 'SMALLINT', i: 'INT', i2: 'INT', bi: 'BIGINT NOT NULL', f: 'FLOAT', d: 'DOUBLE',
      dc: 'DECIMAL(10, 2)', dc0: 'DECIMAL(10, 0)', num: 'DECIMAL(5, 1)', s: 'STRING', v: 'VARCHAR(20)', vmax: 'STRING', c: 'CHAR(3)', c1: 'CHAR(1)',
      dt: 'DATE', tm: 'TIME(0)', ts: 'TIMESTAMP(3)', ts6: 'TIMESTAMP(6)', ltz: 'TIMESTAMP_LTZ(3)', ltz2: 'TIMESTAMP_LTZ(6)',
      bys: 'BYTES', arr: 'ARRAY<INT>', m: 'MAP<STRING, BIGINT>', r: 'ROW<x INT, y STRING>', nested: 'ARRAY<ROW<k STRING, v ARRAY<DOUBLE>>>',
    });
    expect(env.tableDef('all_types')!.columns.find((c) => c.name === 'dc')).toMatchObject({ type: DataTypes.DECIMAL(10, 2) });
  });

  it('computed columns, PROCTIME(), and watermarks with other delays', () => {
    const env = TableEnvironment.create();
    createComputed(env);
    const def = env.tableDef('clicks')!;
    expect(def.columns.map((c) => [c.name, c.kind])).toEqual([
      ['page', 'physical'], ['ts', 'physical'], ['ms', 'physical'], ['proc', 'proctime'], ['page_len', 'computed'], ['ts2', 'computed'],
    ]);
    const pageLen = def.columns[4];
    expect(pageLen.kind === 'computed' && pageLen.expr).toMatchObject({ kind: 'call', fn: 'CHAR_LENGTH', args: [{ kind: 'ref', name: 'page' }] });
    expect(def.watermark).toMatchObject({ column: 'ts', delayMs: 200 });
    // The computed column types resolve when the table is scanned.
    expect(env.from('clicks').getSchema().map((f) => `${f.name} ${typeToString(f.type)}`)).toEqual([
      'page STRING', 'ts TIMESTAMP(3) *ROWTIME*', 'ms BIGINT', 'proc TIMESTAMP_LTZ(3) *PROCTIME* NOT NULL', 'page_len INT', 'ts2 TIMESTAMP(3)',
    ]);
  });

  it('watermark forms: AS ts (no delay), MILLISECOND, MINUTE, unit-to-unit', () => {
    const env = TableEnvironment.create();
    createWithDdlVariants(env);
    expect(env.tableDef('w0')!.watermark!.delayMs).toBe(0);
    expect(env.tableDef('w1')!.watermark!.delayMs).toBe(250);
    expect(env.tableDef('w2')!.watermark!.delayMs).toBe(120_000);
    expect(env.tableDef('w3')!.watermark!.delayMs).toBe(90_500);
    expect(env.tableDef('w3')!.primaryKey).toEqual(['id']);
  });
});

describe('other statements', () => {
  it('IF NOT EXISTS, DROP TABLE [IF EXISTS], CREATE VIEW, SET, several statements', () => {
    const env = TableEnvironment.create();
    env.executeSql(`
      CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'datagen');
      CREATE TABLE IF NOT EXISTS t (x INT) WITH ('connector' = 'datagen');
      CREATE TEMPORARY VIEW v (n, upper_b) AS SELECT a, UPPER(b) FROM t WHERE a > 0;
      SET 'pipeline.name' = 'sql job';
    `);
    expect(env.tableDef('t')!.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(env.from('v').getSchema().map((f) => f.name)).toEqual(['n', 'upper_b']);
    expect(env.getConfig().get('pipeline.name')).toBe('sql job');
    env.executeSql('DROP TABLE t; DROP TABLE IF EXISTS nope; DROP VIEW v');
    expect(env.tableDef('t')).toBeUndefined();
    const e = compileError(() => env.executeSql('DROP TABLE t'));
    expect(e.message).toBe("table 't' does not exist");
  });

  it('rejects a table defined twice, duplicate columns and options, unknown key columns', () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE t (a INT) WITH ('connector' = 'datagen')`);
    expect(compileError(() => env.executeSql(`CREATE TABLE t (a INT) WITH ('connector' = 'datagen')`)).message).toBe("table 't' is already defined");
    expect(compileError(() => env.executeSql(`CREATE TABLE u (a INT, a BIGINT) WITH ('connector' = 'datagen')`)).message).toMatch(/declared twice/);
    expect(compileError(() => env.executeSql(`CREATE TABLE u (a INT) WITH ('connector' = 'datagen', 'connector' = 'x')`)).message).toMatch(/given twice/);
    const pk = compileError(() => env.executeSql(`CREATE TABLE u (id INT, PRIMARY KEY (idd) NOT ENFORCED) WITH ('connector' = 'x')`));
    expect(pk.message).toBe("unknown column 'idd' in table 'u'");
    expect(pk.hint).toBe("did you mean 'id'?");
    const wm = compileError(() => env.executeSql(`CREATE TABLE u (ts TIMESTAMP(3), WATERMARK FOR ts AS ts + INTERVAL '1' SECOND) WITH ('connector' = 'x')`));
    expect(wm.message).toBe("the watermark expression ts + INTERVAL '1' SECOND is not supported");
  });
});
