// Compares sluice's results with Flink's (expected.json) case by case, against the ledger of known
// differences (ledger.json: reason → case ids). Used by conformance.test.ts and by report.ts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, type Case } from './corpus.js';
import type { CaseResult } from './run-sluice.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const EXPECTED_FILE = path.join(HERE, 'expected.json');
export const LEDGER_FILE = path.join(HERE, 'ledger.json');

export interface Expected {
  engine: string;
  cases: Record<string, CaseResult>;
}

export type Ledger = Record<string, string[]>;

export const readExpected = (): Expected => JSON.parse(fs.readFileSync(EXPECTED_FILE, 'utf8'));
export const readLedger = (): Ledger => JSON.parse(fs.readFileSync(LEDGER_FILE, 'utf8'));

/** Both engines reject the case, or both give the same final rows. Result types are reported, not compared. */
export function agrees(flink: CaseResult | undefined, sluice: CaseResult | undefined): boolean {
  if (!flink || !sluice) return false;
  if (flink.error !== undefined || sluice.error !== undefined) return flink.error !== undefined && sluice.error !== undefined;
  return JSON.stringify(flink.rows) === JSON.stringify(sluice.rows);
}

export interface Verdict {
  c: Case;
  agrees: boolean;
  /** The ledger's reason for a difference, if the case is in the ledger. */
  reason?: string;
  flink?: CaseResult;
  sluice?: CaseResult;
}

export function verdicts(sluice: Record<string, CaseResult>, expected = readExpected(), ledger = readLedger()): Verdict[] {
  const reasonOf = new Map<string, string>();
  for (const [reason, ids] of Object.entries(ledger)) for (const id of ids) reasonOf.set(id, reason);
  return CASES.map((c) => ({
    c, agrees: agrees(expected.cases[c.id], sluice[c.id]), reason: reasonOf.get(c.id), flink: expected.cases[c.id], sluice: sluice[c.id],
  }));
}

/** Ledger entries that name no case of the corpus (a renamed or removed case). */
export function staleLedgerIds(ledger = readLedger()): string[] {
  const ids = new Set(CASES.map((c) => c.id));
  return Object.values(ledger).flat().filter((id) => !ids.has(id));
}

export const describe = (r: CaseResult | undefined) =>
  (r === undefined ? 'no result' : r.error !== undefined ? `error: ${r.error}` : `${r.rows!.length} row(s): ${r.rows!.slice(0, 3).join(' ')}${r.rows!.length > 3 ? ' ...' : ''}`);
