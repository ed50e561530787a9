// SQL type syntax (column types in CREATE TABLE, CAST targets) to DataTypes, with Flink's defaults:
// VARCHAR without a length is STRING, CHAR is CHAR(1), TIMESTAMP is TIMESTAMP(6), DECIMAL is DECIMAL(10, 0).
import type { ColumnTypeContext } from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser.js';
import { DataTypes, type DataType } from '../../../runtime/core/data-types.js';
import { pathOf } from './names.js';
import type { SqlText } from './sql-text.js';

export function dataTypeOf(text: SqlText, ctx: ColumnTypeContext): DataType {
  const name = (ctx._colType?.text ?? '').toUpperCase();
  const one = ctx.lengthOneDimension()?.decimalLiteral();
  const lengths = (one ? [one] : ctx.lengthTwoOptionalDimension()?.decimalLiteral() ?? []).map((d) => Number(d.getText()));
  const noLength = () => {
    if (lengths.length) throw text.unsupported(`${name}(${lengths.join(', ')})`, ctx, `write ${name}`);
  };
  switch (name) {
    case 'BOOLEAN': return DataTypes.BOOLEAN();
    case 'DATE': return DataTypes.DATE();
    case 'TINYINT': noLength(); return DataTypes.TINYINT();
    case 'SMALLINT': noLength(); return DataTypes.SMALLINT();
    case 'INT': case 'INTEGER': noLength(); return DataTypes.INT();
    case 'BIGINT': noLength(); return DataTypes.BIGINT();
    case 'FLOAT': noLength(); return DataTypes.FLOAT();
    case 'DOUBLE': noLength(); return DataTypes.DOUBLE();
    case 'STRING': noLength(); return DataTypes.STRING();
    case 'BYTES': case 'BINARY': case 'VARBINARY': return DataTypes.BYTES();
    case 'CHAR': return DataTypes.CHAR(lengths[0] ?? 1);
    case 'VARCHAR': return lengths.length ? DataTypes.VARCHAR(lengths[0]) : DataTypes.STRING();
    case 'DECIMAL': case 'DEC': case 'NUMERIC': {
      const [precision = 10, scale = 0] = lengths;
      if (precision < 1 || precision > 38 || scale > precision) {
        throw text.error(`DECIMAL(${precision}, ${scale}): precision must be 1 to 38 and scale at most the precision`, ctx);
      }
      return DataTypes.DECIMAL(precision, scale);
    }
    case 'TIME': return DataTypes.TIME(lengths[0] ?? 0);
    case 'TIMESTAMP_LTZ': return DataTypes.TIMESTAMP_LTZ(lengths[0] ?? 6);
    case 'TIMESTAMP':
      if (ctx.KW_ZONE() && !ctx.KW_LOCAL() && ctx.KW_WITH()) throw text.unsupported('TIMESTAMP WITH TIME ZONE', ctx, 'use TIMESTAMP_LTZ or TIMESTAMP WITH LOCAL TIME ZONE');
      return ctx.KW_LOCAL() && ctx.KW_WITH() ? DataTypes.TIMESTAMP_LTZ(lengths[0] ?? 6) : DataTypes.TIMESTAMP(lengths[0] ?? 6);
    case 'ARRAY': {
      const element = ctx.lengthOneTypeDimension()?.columnType();
      if (!element) throw text.error('ARRAY needs an element type: ARRAY<INT>', ctx);
      return DataTypes.ARRAY(dataTypeOf(text, element));
    }
    case 'MAP': {
      const kv = ctx.mapTypeDimension()?.columnType() ?? [];
      if (kv.length !== 2) throw text.error('MAP needs a key and a value type: MAP<STRING, INT>', ctx);
      return DataTypes.MAP(dataTypeOf(text, kv[0]), dataTypeOf(text, kv[1]));
    }
    case 'ROW': {
      const dim = ctx.rowTypeDimension();
      if (!dim) throw text.error('ROW needs its fields: ROW<name STRING, age INT>', ctx);
      const types = dim.columnType();
      return DataTypes.ROW(...dim.columnName().map((c, i) => DataTypes.FIELD(pathOf(c).join('.'), dataTypeOf(text, types[i]))));
    }
    default:
      throw text.unsupported(`type ${name || text.source(ctx)}`, ctx,
        'types: BOOLEAN TINYINT SMALLINT INT BIGINT FLOAT DOUBLE DECIMAL(p,s) STRING VARCHAR(n) CHAR(n) BYTES DATE TIME TIMESTAMP(p) TIMESTAMP_LTZ(p) ARRAY MAP ROW');
  }
}
