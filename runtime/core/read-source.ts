// Reads a bounded source to its end into rows: how a sink table that is also a source (kafka, upsert-kafka,
// filesystem) is read back for `sluice reconcile`. A changelog source's rows are applied by key, so a keyed
// table gives its latest row per key (a delete removes the key).
import type { SourceReader } from './connector.js';
import { RowKind, type Row } from './row.js';

export async function readSourceToEnd(reader: SourceReader, key: readonly string[] | null): Promise<Row[]> {
  if (!reader.bounded) throw new Error('readSourceToEnd needs a bounded source');
  const all: Row[] = [];
  const byKey = new Map<string, Row>();
  await reader.open(null);
  try {
    for (;;) {
      const batch = await reader.poll();
      if (batch === null) break;
      for (let i = 0; i < batch.rows.length; i++) {
        const row = batch.rows[i];
        if (key === null) { all.push(row); continue; }
        const k = JSON.stringify(key.map((c) => row[c] ?? null));
        if (batch.kinds?.[i] === RowKind.DELETE) byKey.delete(k);
        else byKey.set(k, row);
      }
    }
  } finally {
    await reader.close();
  }
  return key === null ? all : [...byKey.values()];
}
