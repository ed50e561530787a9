// The operations playground's job: clicks per page in 15-second windows, from Kafka to Kafka.
// `--event-time` windows on the events' timestamps (watermark 200 ms), otherwise on processing time;
// `--backpressure` adds the playground's map that sleeps 100 ms per record during even minutes.
import { defineJob, $, lit, call, Tumble } from 'sluice';

export default defineJob('Click Event Count', (tEnv, params) => {
  const servers = params.get('bootstrap.servers', '127.0.0.1:9092');
  tEnv.executeSql(`
    CREATE TABLE clicks (
      \`timestamp\` TIMESTAMP(3),
      page STRING,
      proc AS PROCTIME(),
      WATERMARK FOR \`timestamp\` AS \`timestamp\` - INTERVAL '0.2' SECOND
    ) WITH (
      'connector' = 'kafka',
      'topic' = '${params.get('input-topic', 'input')}',
      'properties.bootstrap.servers' = '${servers}',
      'properties.group.id' = 'click-event-count',
      'scan.startup.mode' = 'earliest-offset',
      'format' = 'json'
    )`);
  tEnv.executeSql(`
    CREATE TABLE click_event_statistics (
      windowStart TIMESTAMP(3),
      windowEnd TIMESTAMP(3),
      page STRING,
      \`count\` BIGINT
    ) WITH (
      'connector' = 'kafka',
      'topic' = '${params.get('output-topic', 'output')}',
      'properties.bootstrap.servers' = '${servers}',
      'format' = 'json',
      'sink.delivery-guarantee' = 'at-least-once'
    )`);

  let clicks = tEnv.from('clicks');
  if (params.has('backpressure')) {
    clicks = clicks.select($('timestamp'), call('backpressure_map', $('page')).as('page'), $('proc'));
  }
  const time = params.has('event-time') ? $('timestamp') : $('proc');
  clicks
    .window(Tumble.over(lit(15).seconds()).on(time).as('w'))
    .groupBy($('w'), $('page'))
    .select($('w').start().as('windowStart'), $('w').end().as('windowEnd'), $('page'), lit(1).count().as('count'))
    .executeInsert('click_event_statistics');
});
