// The print connector, as Flink's: every row, with its changelog kind (+I -U +U -D), on stdout or stderr.
// It takes any changelog (sinkAccepts 'upsert'), showing retractions and updates as they arrive.
import type { Connector } from '../../core/connector.js';
import { printOptions } from './options.js';

export const print: Connector = {
  name: 'print',
  options: printOptions,
  roles: ['sink'],
  sinkAccepts: 'upsert',
  bundle: 'always',
  load: () => import('./sink.js'),
};
