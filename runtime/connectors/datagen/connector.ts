// The datagen connector, as Flink's: random or sequence values per column, throttled to rows-per-second the
// way the playground's Throttler does. Our extension: 'seed' makes the data reproducible (every column of
// row n depends only on the seed, the column name and n); without it a random seed is chosen at start and
// kept in checkpoints, so a restored job continues the same data either way.
import { z } from 'zod';
import type { Connector } from '../../core/connector.js';
import { boolString, durationString, intString, oneOf, type OptionSchema } from '../../core/options.js';
import { readFieldSpecs } from './field-specs.js';

const numberString = () => z.string().refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), 'must be a number');
const rateString = () => numberString().refine((s) => Number(s) >= 0 && Number(s) <= 1, 'must be between 0 and 1');

const fieldOption = (suffix: string, schema: z.ZodType<string>) => ({
  regex: new RegExp(`^fields\\..+\\.${suffix}$`),
  schema,
  example: `fields.<column>.${suffix}`,
});

export const datagenOptions: OptionSchema = {
  keys: {
    'rows-per-second': intString(1),
    'number-of-rows': intString(0),
    seed: intString(),
  },
  patterns: [
    fieldOption('kind', oneOf('random', 'sequence')),
    fieldOption('min', numberString()),
    fieldOption('max', numberString()),
    fieldOption('length', intString(1)),
    fieldOption('var-len', boolString()),
    fieldOption('start', intString()),
    fieldOption('end', intString()),
    fieldOption('max-past', durationString()),
    fieldOption('null-rate', rateString()),
  ],
};

export const datagen: Connector = {
  name: 'datagen',
  options: datagenOptions,
  roles: ['source'],
  sinkAccepts: 'insert-only',
  bundle: 'always',
  validate: (table) => readFieldSpecs(table.declared, table.options).problems,
  load: () => import('./source.js'),
};
