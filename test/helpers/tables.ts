// Test helpers: temporary CSV and JSON-lines inputs and table registration without SQL, so runtime tests do not depend
// on the SQL frontend.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableEnvironment, type DataType } from 'sluice';
import { formatTimestamp } from '../../runtime/core/values.js';

export function tempDir(prefix = 'sluice-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes rows as CSV (timestamps given as epoch millis are written in SQL format). */
export function writeCsv(rows: unknown[][], file = path.join(tempDir(), 'input.csv')): string {
  const text = rows.map((r) => r.map((v) => (v instanceof Date ? formatTimestamp(v.getTime(), 3) : v === null ? '' : String(v))).join(',')).join('\n') + '\n';
  fs.writeFileSync(file, text);
  return file;
}

/** Writes rows as JSON lines (the `timestamps` columns' epoch millis in SQL format), for filesystem tables with format json. */
export function writeJsonLines(rows: object[], timestamps: string[] = []): string {
  const file = path.join(tempDir(), 'input.json');
  const line = (r: object) => JSON.stringify({ ...r, ...Object.fromEntries(timestamps.map((c) => [c, formatTimestamp((r as Record<string, number>)[c], 3)])) });
  fs.writeFileSync(file, rows.map(line).join('\n') + '\n');
  return file;
}

export interface CsvTable {
  name: string;
  columns: [string, DataType][];
  file: string;
  watermark?: { column: string; delayMs: number };
  proctime?: string;
}

export function registerCsv(tEnv: TableEnvironment, t: CsvTable): void {
  tEnv.registerTable({
    name: t.name,
    columns: [
      ...t.columns.map(([name, type]) => ({ kind: 'physical' as const, name, type })),
      ...(t.proctime ? [{ kind: 'proctime' as const, name: t.proctime }] : []),
    ],
    watermark: t.watermark ?? null,
    primaryKey: [],
    options: { connector: 'filesystem', path: t.file, format: 'csv' },
  });
}

/** Runs a query fused and unfused; both must agree, and the fused rows are returned. */
export async function collectBothWays(build: () => { execute(): { collect(): Promise<Record<string, unknown>[]> } }): Promise<Record<string, unknown>[]> {
  const fused = await build().execute().collect();
  process.env.SLUICE_UNFUSED = '1';
  try {
    const unfused = await build().execute().collect();
    if (JSON.stringify(sortRows(fused)) !== JSON.stringify(sortRows(unfused))) {
      throw new Error(`fused and unfused results differ:\nfused:   ${JSON.stringify(sortRows(fused))}\nunfused: ${JSON.stringify(sortRows(unfused))}`);
    }
  } finally {
    delete process.env.SLUICE_UNFUSED;
  }
  return fused;
}

export function sortRows<T extends Record<string, unknown>>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}
