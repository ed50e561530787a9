// What 'sluice' resolves to inside a bundle: the part of the API that UDF modules use at run time.
export { udf, type UdfOptions } from './udf.js';
export { DataTypes, type DataType } from './data-types.js';
