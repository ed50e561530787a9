// The Kafka workload of the parallel speed-up bench (bench/parallel/speedup.ts): the operations playground's
// click count (COUNT(*) per page and 15 s tumbling window, as bench/peers/sql/tumble.sql) over the bench's clicks
// topic of 2 partitions, read from the earliest offset to the end offsets at the start (bounded, so the job ends),
// into a blackhole. At -p n each subtask reads its share of the partitions and pre-aggregates before the hash
// exchange by page.
import { defineJob } from 'sluice';

export default defineJob('kafka click count', (tEnv, params) => {
  const topic = params.get('topic', 'sluice-bench-clicks-1000000-2p');
  const brokers = params.get('brokers', '127.0.0.1:9092');
  tEnv.executeSql(`
    CREATE TABLE clicks (page STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
      'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${brokers}', 'format' = 'csv',
      'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`);
  tEnv.executeSql(`CREATE TABLE counts (window_start TIMESTAMP(3), page STRING, cnt BIGINT) WITH ('connector' = 'blackhole')`);
  tEnv.executeSql(`INSERT INTO counts
    SELECT TUMBLE_START(ts, INTERVAL '15' SECOND), page, COUNT(*) FROM clicks GROUP BY TUMBLE(ts, INTERVAL '15' SECOND), page`);
});
