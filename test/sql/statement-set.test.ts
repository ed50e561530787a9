// Statement sets: TableEnvironment.createStatementSet() (addInsertSql, addInsert, explain, execute) and SQL's
// EXECUTE STATEMENT SET make several INSERTs one job whose sources are read once. A job file with a statement
// set is compiled to a bundle and run; standalone, execute().await() runs the set in-process. Both outputs are
// compared with the rows computed here from the input.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { $, TableEnvironment } from '../../compiler/api/index.js';
import { compileJob } from '../../compiler/index.js';
import { optimize } from '../../compiler/passes/index.js';
import { runCompiled } from '../../runtime/cli/run-compiled.js';
import type { CompiledBundle } from '../../runtime/core/bundle.js';
import { tempDir } from '../helpers/tables.js';
import { compileError } from './helpers.js';

const ORDERS = Array.from({ length: 40 }, (_, i) => ({ id: i, customer: ['ann', 'bob', 'cy'][i % 3], amount: (i * 37) % 100 }));

function ordersFile(): string {
  const file = path.join(tempDir(), 'orders.json');
  fs.writeFileSync(file, ORDERS.map((o) => JSON.stringify(o)).join('\n') + '\n');
  return file;
}

const lines = (dir: string) => fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
const wantLarge = () => ORDERS.filter((o) => o.amount >= 50).map((o) => `${o.id},${o.amount}`).sort();
const wantTotals = () => {
  const t = new Map<string, number>();
  for (const o of ORDERS) t.set(o.customer, (t.get(o.customer) ?? 0) + o.amount);
  return [...t].map(([c, s]) => JSON.stringify([c, s])).sort();
};
/** The final rows a debezium-json sink's changes leave. */
function finalRows(messages: string[]): string[] {
  const rows: string[] = [];
  for (const m of messages.map((l) => JSON.parse(l))) {
    const r = JSON.stringify(Object.values(m.after ?? m.before));
    if (m.op === 'c') rows.push(r);
    else rows.splice(rows.indexOf(r), 1);
  }
  return rows.sort();
}

function environment(orders: string, large: string, totals: string): TableEnvironment {
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE orders (id BIGINT, customer STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${orders}', 'format' = 'json')`);
  env.executeSql(`CREATE TABLE big (id BIGINT, amount INT) WITH ('connector' = 'filesystem', 'path' = '${large}', 'format' = 'csv')`);
  env.executeSql(`CREATE TABLE totals (customer STRING, total INT) WITH ('connector' = 'filesystem', 'path' = '${totals}', 'format' = 'debezium-json')`);
  return env;
}

describe('statement sets', () => {
  it('a job file with createStatementSet() compiles to one bundle that reads the source once and writes both sinks', async () => {
    const [large, totals] = [tempDir(), tempDir()];
    const file = path.join(tempDir(), 'job.mjs');
    const compiled = await compileJob('test/sql/fixtures/statement-set-job.ts', { args: ['--orders', ordersFile(), '--large', large, '--totals', totals], out: file });
    expect(compiled.plan.nodes.filter((n) => n.kind === 'source')).toHaveLength(1);
    expect(compiled.plan.nodes.filter((n) => n.kind === 'sink').map((n) => (n as { table: string }).table).sort()).toEqual(['big', 'totals']);
    const { job } = (await import(pathToFileURL(file).href)) as { job: CompiledBundle };
    await runCompiled(job, { bundle: file });
    expect(lines(large).sort()).toEqual(wantLarge());
    expect(finalRows(lines(totals))).toEqual(wantTotals());
  });

  it('standalone: explain() shows one job with one source, execute().await() runs it', async () => {
    const [large, totals] = [tempDir(), tempDir()];
    const env = environment(ordersFile(), large, totals);
    const set = env.createStatementSet()
      .addInsertSql('INSERT INTO big SELECT id, amount FROM orders WHERE amount >= 50')
      .addInsert('totals', env.sqlQuery('SELECT customer, SUM(amount) FROM orders GROUP BY customer'));
    const explained = set.explain();
    // The tree under each sink shows the source, with one operator id: one source for both inserts.
    const sourceIds = [...explained.matchAll(/\[(\w+)\] Source\(table=\[orders\]/g)].map((m) => m[1]);
    expect(sourceIds).toHaveLength(2);
    expect(new Set(sourceIds).size).toBe(1);
    expect(explained).toContain('Sink(table=[big]');
    expect(explained).toContain('Sink(table=[totals]');
    await set.execute().await();
    expect(lines(large).sort()).toEqual(wantLarge());
    expect(finalRows(lines(totals))).toEqual(wantTotals());
    // Executed sets are empty, as Flink's; running the environment again runs nothing more.
    expect(() => set.execute()).toThrow(/holds no INSERT/);
  });

  it('EXECUTE STATEMENT SET in SQL makes the same job', () => {
    const env = environment(ordersFile(), tempDir(), tempDir());
    env.executeSql(`EXECUTE STATEMENT SET BEGIN
      INSERT INTO big SELECT id, amount FROM orders WHERE amount >= 50;
      INSERT INTO totals SELECT customer, SUM(amount) FROM orders GROUP BY customer;
    END;`);
    const plan = optimize(env.buildPlan('set', []));
    expect(plan.nodes.filter((n) => n.kind === 'source')).toHaveLength(1);
    expect(plan.nodes.filter((n) => n.kind === 'sink')).toHaveLength(2);
  });

  it('rejects what is not an insert, an empty set, and an unknown sink, pointing at the call', () => {
    const env = environment(ordersFile(), tempDir(), tempDir());
    const set = env.createStatementSet();
    expect(compileError(() => set.addInsertSql('SELECT * FROM orders')).message).toContain('addInsertSql takes exactly one INSERT');
    expect(compileError(() => set.addInsert('totls', env.from('orders').select($('customer'), $('amount')))).hint).toContain("did you mean 'totals'?");
    const err = compileError(() => set.explain());
    expect(err.message).toContain('holds no INSERT');
    expect(err.loc?.file).toContain('statement-set.test.ts');
  });
});
