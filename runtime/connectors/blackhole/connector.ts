// The blackhole connector, as Flink's: swallows every row (inserts, updates, deletes), for benchmarks and
// for jobs whose output does not matter. The runtime counts the rows it hands over (recordsIn).
import type { Connector } from '../../core/connector.js';

export const blackhole: Connector = {
  name: 'blackhole',
  options: { keys: {} },
  roles: ['sink'],
  sinkAccepts: 'upsert',
  bundle: 'always',
  load: async () => ({
    createSink: (ctx) => ({
      async open() {},
      write() {},
      async flush() {},
      async close() {},
    }),
  }),
};
