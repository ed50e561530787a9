// The shape of `sluice reconcile --json` (and GET /jobs/:jobid/reconcile), written down from SPEC §11's text
// independently of runtime/reconcile/report.ts: SPEC's fields {"ok": bool, "tables": [{"table": s, "matched": n,
// "missing": n, "extra": n, "changed": n, "explained": n, "examples": [...]}]} with their types, plus the fields
// docs/reconcile.md adds. Strict: a field renamed, dropped or added without updating this fails.
import { z } from 'zod';

const count = z.number().int().nonnegative();
const reason = z.enum(['late records', 'window not closed', 'input after the checkpoint', 'float tolerance', 'at-least-once duplicate']);
/** Row values: JSON scalars (timestamps as epoch millis, DECIMAL as its digits) or nested JSON (ARRAY, MAP, ROW). */
const row = z.record(z.string(), z.unknown());

export const reconcileJson = z.strictObject({
  // SPEC §11
  ok: z.boolean(),
  tables: z.array(z.strictObject({
    table: z.string(),
    matched: count,
    missing: count,
    extra: count,
    changed: count,
    explained: count,
    examples: z.array(z.strictObject({
      kind: z.enum(['missing', 'extra', 'changed']),
      key: row,
      expected: row.nullable(),
      found: row.nullable(),
      reason: reason.optional(),
    })),
    // docs/reconcile.md's additions
    connector: z.string(),
    explanations: z.partialRecord(reason, count),
    key: z.array(z.string()).nullable(),
    notReconciled: z.string().optional(),
  })),
  // docs/reconcile.md's additions
  job: z.string(),
  checkpoint: z.strictObject({ kind: z.enum(['checkpoint', 'savepoint']), id: count, path: z.string(), timestamp: count }),
  input: z.array(z.strictObject({ table: z.string(), range: z.string(), records: count.nullable() })),
  notes: z.array(z.string()),
});

/** Parses a report's text: throws, naming the fields, when it is not of the shape. */
export function parseReconcileJson(text: string): z.infer<typeof reconcileJson> {
  return reconcileJson.parse(JSON.parse(text));
}
