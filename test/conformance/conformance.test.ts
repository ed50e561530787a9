// sluice against real Flink on the conformance corpus (corpus.ts; Flink's answers in expected.json, made by
// `bash test/conformance/flink/regenerate.sh`; no Flink needed here). Per family: every case outside the
// ledger must agree with Flink, and every case in the ledger must still differ, so the ledger stays true.
// docs/conformance.md must state the current figures (`npx tsx test/conformance/report.ts --write`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './corpus.js';
import { describe as show, readLedger, staleLedgerIds, verdicts, type Verdict } from './compare.js';
import { renderReport, REPORT_FILE } from './report-text.js';
import { runSluice } from './run-sluice.js';

let all: Verdict[] = [];

beforeAll(async () => {
  all = verdicts(await runSluice(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-conformance-'))));
}, 600_000);

describe('conformance with Flink', () => {
  it.each([...new Set(CASES.map((c) => c.family))])('%s: agreements as the ledger says', (family) => {
    const problems: string[] = [];
    for (const v of all.filter((x) => x.c.family === family)) {
      if (!v.agrees && v.reason === undefined) problems.push(`differs, not in the ledger: ${v.c.id}\n  flink:  ${show(v.flink)}\n  sluice: ${show(v.sluice)}`);
      if (v.agrees && v.reason !== undefined) problems.push(`agrees now, remove it from the ledger ("${v.reason}"): ${v.c.id}`);
    }
    expect(problems).toEqual([]);
  });

  it('the ledger names only cases of the corpus, and docs/conformance.md states the current figures', () => {
    expect(staleLedgerIds()).toEqual([]);
    expect(fs.readFileSync(REPORT_FILE, 'utf8')).toBe(renderReport(all, readLedger()));
  });
});
