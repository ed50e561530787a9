// The elasticsearch-7 connector, as Flink's: a sink that indexes rows as JSON documents, with the document
// id taken from the PRIMARY KEY (deleted on retraction), or appends documents with generated ids when there is
// none. This file is what the compiler loads: the declarations only (options in options.ts); the client library
// is loaded with the sink.
import type { Connector } from '../../core/connector.js';
import { elasticsearchOptions, validateElasticsearch } from './options.js';

export const elasticsearch7: Connector = {
  name: 'elasticsearch-7',
  options: elasticsearchOptions,
  roles: ['sink'],
  sinkAccepts: 'upsert',
  primaryKey: 'for-updates',
  validate: (table) => validateElasticsearch(table),
  load: async () => {
    const [sink, read] = await Promise.all([import('./sink.js'), import('./read-table.js')]);
    return { createSink: sink.createSink, readTable: read.readElasticsearchTable };
  },
};
