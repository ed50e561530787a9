// Runs the corpus on sluice and reports against Flink's answers and the ledger.
//   npx tsx test/conformance/report.ts            the figures, and the differences not in the ledger
//   npx tsx test/conformance/report.ts --write    also rewrites docs/conformance.md
//   npx tsx test/conformance/report.ts --ledger   also adds the differences not in the ledger to it (under
//                                                  a first guess of their reason, to be edited) and drops cases that agree
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, LEDGER_FILE, readLedger, verdicts, type Ledger, type Verdict } from './compare.js';
import { renderReport, REPORT_FILE } from './report-text.js';
import { runSluice } from './run-sluice.js';

const all = verdicts(await runSluice(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-conformance-'))));
let ledger = readLedger();
const unledgered = all.filter((v) => !v.agrees && v.reason === undefined);
const fixed = all.filter((v) => v.agrees && v.reason !== undefined);
for (const v of unledgered) console.log(`differs: ${v.c.id}\n  flink:  ${describe(v.flink)}\n  sluice: ${describe(v.sluice)}`);
for (const v of fixed) console.log(`agrees now (in the ledger): ${v.c.id}`);
console.log(`${all.filter((v) => v.agrees).length} of ${all.length} agree; ${unledgered.length} differ outside the ledger; ${fixed.length} ledger cases agree`);

if (process.argv.includes('--ledger')) {
  const next: Ledger = {};
  for (const [reason, ids] of Object.entries(ledger)) {
    const keep = ids.filter((id) => !fixed.some((v) => v.c.id === id));
    if (keep.length) next[reason] = keep;
  }
  for (const v of unledgered) (next[guessReason(v)] ??= []).push(v.c.id);
  fs.writeFileSync(LEDGER_FILE, JSON.stringify(next, null, 1) + '\n');
  ledger = next;
  all.forEach((v) => { v.reason = Object.entries(ledger).find(([, ids]) => ids.includes(v.c.id))?.[0]; });
}
if (process.argv.includes('--write')) fs.writeFileSync(REPORT_FILE, renderReport(all, ledger));

/** A first guess of why a case differs, grouping alike cases; the ledger's reasons are edited by hand after. */
function guessReason(v: Verdict): string {
  const s = v.sluice?.error, f = v.flink?.error;
  if (s !== undefined && f === undefined) {
    if (/unknown function/.test(s)) return 'built-in function not implemented in sluice yet';
    if (/JOIN/.test(s)) return 'joins are not supported by sluice yet (issue 14.1)';
    if (/window_start|window_end/.test(s)) return 'window Top-N straight on a window table function (without a window aggregate) is not supported by sluice yet (issue 14.2)';
    if (/subquery/.test(s)) return 'subqueries in expressions (IN, EXISTS, scalar) are not supported by sluice yet';
    if (/the function argument|JSON/.test(s) || v.c.family === 'json') return 'the clauses of the JSON functions (RETURNING, ON EMPTY, WITH WRAPPER, KEY/VALUE, ON NULL), JSON_OBJECT and IS NOT JSON are not parsed by sluice yet';
    if (v.c.family === 'collection' || v.c.family === 'value' || /ARRAY_AGG/.test(s)) return 'ARRAY, MAP and ROW values (constructors, subscripts, field access) are not supported by sluice yet (issue 14.3)';
    if (/FILTER|OVERLAPS|syntax error/.test(s)) return 'SQL syntax sluice does not parse yet (OVERLAPS, FILTER (WHERE ...), a function call as a LIKE pattern, a SESSION window TVF under WHERE, a scalar subquery)';
    if (/GROUPING SETS|updating input|neither grouped/.test(s)) return 'aggregates sluice cannot plan yet: GROUPING SETS/ROLLUP, aggregates over updating inputs, a non-grouped column inside an aggregate of a subquery';
    if (/2\^53|exact integer range/.test(s)) return 'BIGINT beyond ±2^53: sluice rejects instead of computing in 64 bits (deliberate, docs/types.md)';
    const unsupported = /^(.*) (is|are) not supported/.exec(s);
    if (unsupported) return `not supported by sluice yet: ${unsupported[1]}`;
    return `sluice rejects what Flink runs: ${s}`;
  }
  if (f !== undefined && /Illegal use of 'NULL'/.test(f)) return "Flink rejects an untyped NULL literal as an operand ('Illegal use of NULL'); sluice accepts it (deliberate leniency)";
  if (f !== undefined) return `Flink fails (${f.split(':')[0]}), sluice returns rows`;
  if (v.c.family === 'aggregate' || v.c.family === 'updating') return 'aggregate results differ';
  return `value differs (${v.c.family})`;
}
