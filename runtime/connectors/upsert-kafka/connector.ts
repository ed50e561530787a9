// The upsert-kafka connector, as Flink's: a compacted-topic view of a table keyed by its PRIMARY KEY. As a
// sink, +I/+U rows become records keyed by the primary key, -U rows are skipped (the +U that follows replaces
// the value) and -D rows become tombstones (null value). As a source, records are upserts and tombstones are
// deletes, always read from the earliest offset. Shares the kafka connector's source and sink in upsert mode.
import type { Connector } from '../../core/connector.js';
import { upsertKafkaOptions, validateUpsertKafka } from '../kafka/options.js';
import { kafkaReplayOptions } from '../kafka/replay.js';
import { kafkaSplits } from '../kafka/splits.js';

export const upsertKafka: Connector = {
  name: 'upsert-kafka',
  bringsKafkaClient: true,
  options: upsertKafkaOptions,
  roles: ['source', 'sink'],
  produces: 'upsert',
  sinkAccepts: 'upsert',
  primaryKey: 'always',
  validate: validateUpsertKafka,
  replayOptions: kafkaReplayOptions,
  splits: kafkaSplits,
  load: async () => {
    const [source, sink, read] = await Promise.all([import('../kafka/source.js'), import('../kafka/sink.js'), import('../kafka/read-table.js')]);
    return { createSource: (ctx) => source.createKafkaSource(ctx, true), createSink: (ctx) => sink.createKafkaSink(ctx, true), readTable: (ctx) => read.readKafkaTable(ctx, true) };
  },
};
