// What 'sluice' resolves to inside a bundle. UDF modules need udf() and DataTypes at run time; a job file
// that declares its own UDFs is imported by its bundle too, for them, so it finds here the names it may
// import as values: defineJob and the expression builders. Its body, which builds the plan, is compiled
// already and never runs in a bundle; Table and TableEnvironment (the compiler) are not carried.
export { udf, udtf, udaf, type UdfOptions, type AggregateFunction, type TableFunction } from '../../runtime/core/udf.js';
export { DataTypes, type DataType } from '../../runtime/core/data-types.js';
export { defineJob, JobParams } from './define-job.js';
export { $, col, lit, call, and, or, Expression, TimeIntervalUnit } from './expressions.js';
export { Tumble, Slide, Session, GroupWindow } from './windows.js';
