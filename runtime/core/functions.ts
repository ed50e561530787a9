// What generated code calls as `fn` (bundles receive it as `rt.fn`): the builtins' implementations by entry
// (`fn.impl.<name>`, from the function table in builtins.ts) and the helpers their inlined forms use.
export * from './scalar-functions.js';
export { addMonths, addUnits, ceilTime, floorTime, timestampDiff } from './time-units.js';
export { impl } from './builtins.js';
export { udfReturnedNull } from './udf.js';
export { floorDecimal, signDecimal } from './decimal.js';
export { collectAdd, collectRetract, welfordAdd, welfordRetract } from './collecting-aggs.js';
export { udafDistinctChange } from './user-aggs.js';
