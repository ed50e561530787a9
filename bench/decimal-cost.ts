// What exact DECIMAL costs against DOUBLE (docs/types.md#decimal): the payment workload's aggregate, SUM of
// the amount per province with mini-batches, csv -> blackhole, fused, once with payAmount DOUBLE and once
// DECIMAL(10, 2) (its sum DECIMAL(38, 2): csv decoding into bigints and bigint sums), on the benchmark's
// payments.csv. Runs alternate; prints each run's wall time, the medians and the 1-minute load average.
//   npx tsx bench/decimal-cost.ts [--rows 5000000] [--runs 4]
import os from 'node:os';
import { TableEnvironment } from '../compiler/api/table-environment.js';
import { optimize } from '../compiler/passes/index.js';
import { runPlan } from '../compiler/run-standalone.js';
import { inputFile } from './lib/workloads.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const input = inputFile(option('rows', 5_000_000), 'payments');
const runs = option('runs', 4);

async function once(amount: string, sum: string): Promise<number> {
  const env = TableEnvironment.create();
  env.getConfig().set('table.exec.mini-batch.enabled', 'true');
  env.getConfig().set('table.exec.mini-batch.allow-latency', '200 ms');
  env.getConfig().set('table.exec.mini-batch.size', '20000');
  env.executeSql(`CREATE TABLE payments (createTime STRING, orderId BIGINT, payAmount ${amount}, payPlatform INT, provinceId INT)
    WITH ('connector' = 'filesystem', 'path' = '${input.replaceAll("'", "''")}', 'format' = 'csv')`);
  env.executeSql(`CREATE TABLE totals (province INT, pay_amount ${sum}, PRIMARY KEY (province) NOT ENFORCED) WITH ('connector' = 'blackhole')`);
  env.executeSql('INSERT INTO totals SELECT provinceId, SUM(payAmount) FROM payments GROUP BY provinceId');
  const plan = optimize(env.buildPlan('decimal-cost', []));
  const start = performance.now();
  await runPlan(plan, true);
  return performance.now() - start;
}

const times: Record<'DOUBLE' | 'DECIMAL', number[]> = { DOUBLE: [], DECIMAL: [] };
for (let i = 0; i < runs; i++) {
  times.DOUBLE.push(await once('DOUBLE', 'DOUBLE'));
  times.DECIMAL.push(await once('DECIMAL(10, 2)', 'DECIMAL(38, 2)'));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [k, xs] of Object.entries(times)) console.log(`${k.padEnd(8)} ${xs.map((x) => x.toFixed(0)).join(' ')} ms, median ${median(xs).toFixed(0)}`);
console.log(`DECIMAL / DOUBLE ${(median(times.DECIMAL) / median(times.DOUBLE)).toFixed(2)}, load ${os.loadavg()[0].toFixed(2)}`);
