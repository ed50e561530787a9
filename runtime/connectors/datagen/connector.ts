// The datagen connector, as Flink's: random or sequence values per column, throttled to rows-per-second the
// way the playground's Throttler does. Our extension: 'seed' makes the data reproducible (every column of
// row n depends only on the seed, the column name and n); without it a random seed is chosen at start and
// kept in checkpoints, so a restored job continues the same data either way.
import type { Connector } from '../../core/connector.js';
import { datagenOptions, validateDatagen } from './options.js';

export const datagen: Connector = {
  name: 'datagen',
  options: datagenOptions,
  roles: ['source'],
  endsWith: (options) => options['number-of-rows'] !== undefined,
  sinkAccepts: 'insert-only',
  bundle: 'always',
  validate: validateDatagen,
  load: () => import('./source.js'),
};
