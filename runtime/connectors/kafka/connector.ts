// The kafka connector, as Flink's: an unbounded source reading one or more topics partition by partition, and
// an append-only sink with at-least-once or exactly-once (transactional) delivery. Rows map to records through
// the csv/json formats (value, and optionally a key from key.fields). The implementation and kafkajs load only
// when a job opens the table.
import type { Connector } from '../../core/connector.js';
import { changelogOfFormat } from '../../formats/format-options.js';
import { kafkaOptions, validateKafka } from './options.js';
import { kafkaReplayOptions } from './replay.js';
import { kafkaSplits } from './splits.js';

export const kafka: Connector = {
  name: 'kafka',
  bringsKafkaClient: true,
  options: kafkaOptions,
  roles: ['source', 'sink'],
  endsWith: (options) => (options['scan.bounded.mode'] ?? 'unbounded') !== 'unbounded',
  sinkAccepts: 'insert-only',
  // value.format = 'debezium-json' / 'canal-json': the topic holds changes.
  changelogWith: (options) => changelogOfFormat(options['value.format'] ?? options.format),
  validate: validateKafka,
  replayOptions: kafkaReplayOptions,
  splits: kafkaSplits,
  load: async () => {
    const [source, sink, read] = await Promise.all([import('./source.js'), import('./sink.js'), import('./read-table.js')]);
    return { createSource: (ctx) => source.createKafkaSource(ctx, false), createSink: (ctx) => sink.createKafkaSink(ctx, false), readTable: (ctx) => read.readKafkaTable(ctx, false) };
  },
};
