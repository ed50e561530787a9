// The benchmark's workloads: one per SQL file in bench/peers/sql (the peers run these files, sluice compiles
// them through bench/jobs/<name>.ts, the hand-written loops in bench/hand/<name>.ts compute the same answer).
// What the harness needs to know about each is read from the SQL file itself: the inputs it reads
// (`-- input: <kind>[, <kind>...]`: the first is `${input}`, the stream the rows are counted in; the others are
// `${input:<kind>}`, files beside it, e.g. the dimension table of a join) and how its answer is captured
// (`${sink:<mode>}`).
import fs from 'node:fs';
import path from 'node:path';
import type { CaptureMode } from './capture.js';

export const BENCH_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const REPO_DIR = path.dirname(BENCH_DIR);
export const WORK_DIR = path.join(BENCH_DIR, '.work');

/** The file workloads, in report order, and what each shows. */
export const WORKLOADS: { name: string; title: string }[] = [
  { name: 'q0', title: 'pass-through (Nexmark q0)' },
  { name: 'q1', title: 'projection with arithmetic (Nexmark q1)' },
  { name: 'q2', title: 'filter (Nexmark q2)' },
  { name: 'tumble', title: 'tumbling-window count per page (click count)' },
  { name: 'sliding', title: 'sliding-window count and sum per key' },
  { name: 'session', title: 'session windows per bidder' },
  { name: 'spend', title: 'spend report (updating sum per account and hour)' },
  { name: 'payments', title: 'payment job with its UDF (updating sum per province)' },
  { name: 'join-dim', title: 'stream–dimension join (every bid with its bidder from the persons table)' },
  { name: 'q3', title: 'regular join of auctions and persons (Nexmark q3)' },
  { name: 'topn', title: 'Top-N: the three highest bids per bidder (ROW_NUMBER ≤ 3)' },
];

export interface WorkloadInfo {
  name: string;
  /** bids, clicks, transactions, payments or auctions: the table and the input file's name; its rows are the workload's rows. */
  input: string;
  /** Every input, `input` first; the others (e.g. persons, a dimension table) are tables of the same name too. */
  inputs: string[];
  mode: CaptureMode;
}

export function workloadInfo(name: string): WorkloadInfo {
  const sql = fs.readFileSync(path.join(BENCH_DIR, 'peers', 'sql', `${name}.sql`), 'utf8');
  const inputs = /^--\s*input:\s*(\w+(?:\s*,\s*\w+)*)/m.exec(sql)?.[1].split(',').map((s) => s.trim());
  const mode = /\$\{sink:(\w+)\}/.exec(sql)?.[1];
  if (!inputs || !mode) throw new Error(`bench/peers/sql/${name}.sql: no '-- input:' line or \${sink:...} placeholder`);
  return { name, input: inputs[0], inputs, mode: mode as CaptureMode };
}

/** The generated input file (bench/peers/gen-input.py writes it). */
export const inputFile = (rows: number, input: string) => path.join(WORK_DIR, 'input', String(rows), `${input}.csv`);

/** A workload's further input `<kind>` (`${input:<kind>}`): the file of that name beside its first input. */
export const siblingInput = (input: string, kind: string) => path.join(path.dirname(input), `${kind}.csv`);
