// The command line as a user meets it: compile to one standalone bundle that runs alone in an empty
// directory, explain, udfs, and run with run-time table overrides.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, node, sluice } from '../helpers/cli.js';
import { sortRows, tempDir, writeCsv } from '../helpers/tables.js';

const PROVINCES = ['Beijing', 'Shanghai', 'Hangzhou', 'Shenzhen', 'Jiangxi', 'Chongqing', 'Xizang'];
const input = Array.from({ length: 500 }, (_, i) => [i % 13, i % 7, (i * 17) % 40]);
const expected = input.filter((r) => r[2] > 10).map(([a, p, amount]) => `${a},${PROVINCES[p]},${amount * 2}`).sort();

function readOutput(dir: string): string[] {
  return fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}

describe('sluice compile', () => {
  it('writes one standalone bundle that runs alone in an empty directory', () => {
    const work = tempDir();
    const inFile = writeCsv(input, path.join(work, 'in.csv'));
    const outDir = path.join(work, 'out');
    const bundle = path.join(work, 'build', 'file-job.mjs');
    const c = sluice(['compile', 'test/cli/fixtures/file-job.ts', '-o', bundle, '--', '--input', inFile, '--output', outDir]);
    expect(c.status, c.stderr).toBe(0);
    // -o /abs/path is printed as given.
    expect(c.stdout.trim()).toBe(bundle);
    const alone = tempDir('sluice-alone-');
    fs.copyFileSync(bundle, path.join(alone, 'job.mjs'));
    expect(fs.readdirSync(alone)).toEqual(['job.mjs']);
    const r = node(['job.mjs'], alone);
    expect(r.status, r.stderr).toBe(0);
    expect(readOutput(outDir)).toEqual(expected);
    // No compiler inside: neither ts-morph nor esbuild nor dt-sql-parser.
    const text = fs.readFileSync(bundle, 'utf8');
    expect(text).not.toMatch(/ts-morph|esbuild|dt-sql-parser|antlr/i);
  });

  it('the bundle runs unfused too, with the same output, and takes table overrides', () => {
    const work = tempDir();
    const inFile = writeCsv(input, path.join(work, 'in.csv'));
    const bundle = path.join(work, 'job.mjs');
    expect(sluice(['compile', 'test/cli/fixtures/file-job.ts', '-o', bundle]).status).toBe(0);
    const outDir = path.join(work, 'elsewhere');
    const r = node([bundle, '--unfused', '--set', `payments.path=${inFile}`, '--set', `named.path=${outDir}`], work);
    expect(r.status, r.stderr).toBe(0);
    expect(readOutput(outDir)).toEqual(expected);
  });

  it('a bad override is a clear error before the job starts', () => {
    const work = tempDir();
    const bundle = path.join(work, 'job.mjs');
    expect(sluice(['compile', 'test/cli/fixtures/file-job.ts', '-o', bundle]).status).toBe(0);
    const r = node([bundle, '--set', 'payments.format=xml'], work);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/table 'payments' \(connector 'filesystem'\): invalid value 'xml' for option 'format'/);
    const r2 = node([bundle, '--set', 'nope.path=x'], work);
    expect(r2.stderr).toMatch(/the job has no table 'nope'/);
  });
});

describe('sluice explain', () => {
  it('prints the logical plan, the optimized plan with pruned source fields, and fused stages with code size', () => {
    const r = sluice(['explain', 'jobs/spend-report.ts']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/== Job: Spend Report ==/);
    expect(r.stdout).toMatch(/== Logical Plan ==\nSink\(table=\[spend_report\], connector=\[jdbc\]/);
    expect(r.stdout).toMatch(/GroupAggregate\(groupBy=\[account_id, log_ts\], select=\[SUM\(amount\) AS \$agg0\]/);
    expect(r.stdout).toMatch(/Source\(table=\[transactions\], connector=\[kafka\], fields=\[account_id, amount, transaction_time\], watermark=\[transaction_time - 5000ms\]\)/);
    expect(r.stdout).toMatch(/== Fused Stages ==\ns1: Source\(transactions\) → Calc → GroupAggregate\.accumulate\s+\[\d+ bytes of generated code\]/);
  });

  it('shows job arguments and the plan they shape', () => {
    const proc = sluice(['explain', 'jobs/click-event-count.ts']);
    expect(proc.status, proc.stderr).toBe(0);
    const event = sluice(['explain', 'jobs/click-event-count.ts', '--', '--event-time']);
    expect(proc.stdout).toMatch(/processing time/);
    expect(event.stdout).toMatch(/== Job: Click Event Count \(job arguments: --event-time\) ==/);
    expect(event.stdout).toMatch(/event time/);
  });
});

describe('sluice udfs', () => {
  it('lists the UDFs in udfs/ with their SQL signatures', () => {
    const r = sluice(['udfs']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^province_id_to_name\(DOUBLE NOT NULL\) → STRING NOT NULL\s+udfs\/provinces\.ts: Provinces\.provinceIdToName\(id: number\): string$/m);
    expect(r.stdout).toMatch(/^backpressure_map\(STRING NOT NULL\) → STRING NOT NULL/m);
  });
});

describe('sluice run', () => {
  it('runs a job file with its tables swapped by --set; print shows the changelog', () => {
    const work = tempDir();
    const T0 = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: 300 }, (_, i) => [i % 3 + 1, i * 10, new Date(T0 + i * 60_000)]);
    const file = writeCsv(rows, path.join(work, 'tx.csv'));
    const r = sluice(['run', 'jobs/spend-report.ts', '--set', 'transactions.connector=filesystem', '--set', `transactions.path=${file}`,
      '--set', 'transactions.format=csv', '--set', 'spend_report.connector=print']);
    expect(r.status, r.stderr).toBe(0);
    // Apply the printed changelog and compare with an independent hourly sum.
    const state = new Map<string, string>();
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const m = /^([+-][IUD])\[(\d+), ([^,]+), (\d+)\]$/.exec(line);
      expect(m, line).not.toBeNull();
      const key = `${m![2]}|${m![3]}`;
      if (m![1] === '+I' || m![1] === '+U') state.set(key, m![4]);
      else state.delete(key);
    }
    const exp = new Map<string, string>();
    const sums = new Map<string, number>();
    for (const [a, amount, t] of rows as [number, number, Date][]) {
      // print shows a TIMESTAMP as Java's LocalDateTime.toString does: 2026-01-01T05:00
      const h = new Date(t.getTime() - (t.getTime() % 3_600_000)).toISOString().slice(0, 16);
      sums.set(`${a}|${h}`, (sums.get(`${a}|${h}`) ?? 0) + amount);
    }
    for (const [k, v] of sums) exp.set(k, String(v));
    expect(sortRows([...state].map(([k, v]) => ({ k, v })))).toEqual(sortRows([...exp].map(([k, v]) => ({ k, v }))));
  });

  it('--help works everywhere and unknown commands fail', () => {
    expect(sluice(['--help']).stdout).toMatch(/compile/);
    expect(sluice(['run', '--help']).stdout).toMatch(/--set/);
    expect(sluice(['frobnicate']).status).not.toBe(0);
  });

  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = sluice(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});
