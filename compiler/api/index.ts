// The public API jobs and UDFs import as 'sluice': Flink's Table API in TypeScript.
export { $, col, lit, call, and, or, dateFormat, currentTimestamp, Expression, Ordering, TimeIntervalUnit, type ExpressionLike } from './expressions.js';
export { Tumble, Slide, Session, GroupWindow } from './windows.js';
export { Table, GroupedTable, GroupWindowedTable, type TableResult } from './table.js';
export { TableEnvironment } from './table-environment.js';
export { StatementSet } from './statement-set.js';
export { TableConfig } from './table-config.js';
export { defineJob, JobParams, type JobDefinition } from './define-job.js';
export { DataTypes, type DataType } from '../../runtime/core/data-types.js';
export { udf, udtf, udaf, type UdfOptions, type AggregateFunction, type TableFunction } from '../../runtime/core/udf.js';
export type { Row } from '../../runtime/core/row.js';
