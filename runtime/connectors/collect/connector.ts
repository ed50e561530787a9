// An in-memory sink for standalone environments and tests: Table.execute().collect() writes here and reads
// the changelog back. Not for jobs (nothing outside the process can see it).
import type { Connector } from '../../core/connector.js';
import { anyString } from '../../core/options.js';

export const collect: Connector = {
  name: 'collect',
  options: { keys: { id: anyString() }, required: ['id'] },
  roles: ['sink'],
  sinkAccepts: 'upsert',
  bundle: 'always',
  load: () => import('./sink.js'),
};
