// The datagen workload of the parallel speed-up bench (bench/parallel/speedup.ts): a bounded datagen sequence
// counted and summed per id % 1000 into a blackhole. At -p n the sequence splits into n ranges and the
// aggregate pre-aggregates before the hash exchange, so the work divides between the subtasks.
import { defineJob } from 'sluice';

export default defineJob('datagen count', (tEnv, params) => {
  const rows = params.get('rows', '20000000');
  tEnv.executeSql(`
    CREATE TABLE seq (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '${rows}', 'rows-per-second' = '1000000000',
      'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '${rows}')`);
  tEnv.executeSql(`CREATE TABLE sums (k BIGINT, c BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'blackhole')`);
  tEnv.executeSql('INSERT INTO sums SELECT id % 1000, COUNT(*), SUM(id) FROM seq GROUP BY id % 1000');
});
