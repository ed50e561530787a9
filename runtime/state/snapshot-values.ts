// JSON-safe form of accumulator values: Maps (DISTINCT sets), non-finite numbers and DECIMALs (bigints,
// core/decimal.ts) survive a checkpoint.

export function toSnapshotValue(v: unknown): unknown {
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [toSnapshotValue(k), toSnapshotValue(x)]) };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  if (typeof v === 'bigint') return { $dec: String(v) };
  if (Array.isArray(v)) return v.map(toSnapshotValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toSnapshotValue(x)]));
  return v;
}

/**
 * A key list or a row in a checkpoint: itself when none of its values is a bigint (no copy, so snapshots of
 * large states cost what they did before DECIMAL), else in toSnapshotValue's form. fromSnapshotValue reads both.
 */
export function toSnapshotFlat<T>(v: T): T {
  if (v === null || v === undefined) return v;
  if (typeof v !== 'object') return (typeof v === 'bigint' ? toSnapshotValue(v) : v) as T;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (typeof v[i] === 'bigint') return toSnapshotValue(v) as T;
    return v;
  }
  for (const k in v) if (typeof (v as Record<string, unknown>)[k] === 'bigint') return toSnapshotValue(v) as T;
  return v;
}

export function fromSnapshotValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromSnapshotValue);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$map' in o) return new Map((o.$map as [unknown, unknown][]).map(([k, x]) => [fromSnapshotValue(k), fromSnapshotValue(x)]));
    if ('$num' in o) return Number(o.$num);
    if ('$dec' in o) return BigInt(o.$dec as string);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromSnapshotValue(x)]));
  }
  return v;
}
