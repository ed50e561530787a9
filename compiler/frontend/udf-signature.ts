// Signatures of table and aggregate functions given explicit types (PyFlink style), shared by the reader of
// TypeScript signatures (read-udfs.ts) and the function registry (functions registered with explicit types).
import { DataTypes, type DataType } from '../../runtime/core/data-types.js';
import type { RegisteredUdf } from '../../runtime/core/udf.js';
import type { UdfSignature } from './resolve.js';

/** A table function whose row type is given: a ROW's fields are its columns; another type is one column, f0 (as Flink names it). */
export function tableSignature(name: string, inputTypes: DataType[], rowType: DataType): UdfSignature {
  if (rowType.name === 'ROW') return { name, kind: 'table', inputTypes, resultType: rowType, rows: 'row' };
  return { name, kind: 'table', inputTypes, resultType: DataTypes.ROW({ name: 'f0', type: rowType }), rows: 'scalar' };
}

/** A registered function's signature from its explicit types alone; undefined without them. */
export function explicitSignature(name: string, u: RegisteredUdf): UdfSignature | undefined {
  const { inputTypes, resultType } = u.options;
  if (!inputTypes || !resultType) return undefined;
  switch (u.kind) {
    case 'scalar': return { name, inputTypes, resultType };
    case 'table': return tableSignature(name, inputTypes, resultType);
    case 'aggregate': {
      const proto = (u.fn as { prototype?: Record<string, unknown> }).prototype ?? {};
      return { name, kind: 'aggregate', inputTypes, resultType, retract: typeof proto.retract === 'function', merge: typeof proto.merge === 'function' };
    }
  }
}
