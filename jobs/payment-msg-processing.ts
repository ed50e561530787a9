// The pyflink walkthrough's job: payment amounts summed per province (named by a UDF), from Kafka into
// Elasticsearch, one document per province.
import { defineJob, call, col } from 'sluice';

export default defineJob('Payment Msg Processing', (tEnv, params) => {
  tEnv.executeSql(`
    CREATE TABLE payment_msg (
      createTime VARCHAR,
      orderId BIGINT,
      payAmount DOUBLE,
      payPlatform INT,
      provinceId INT
    ) WITH (
      'connector' = 'kafka',
      'topic' = '${params.get('topic', 'payment_msg')}',
      'properties.bootstrap.servers' = '${params.get('bootstrap.servers', '127.0.0.1:9092')}',
      'properties.group.id' = 'test_3',
      'scan.startup.mode' = 'latest-offset',
      'format' = 'json'
    )`);
  tEnv.executeSql(`
    CREATE TABLE es_sink (
      province VARCHAR PRIMARY KEY NOT ENFORCED,
      pay_amount DOUBLE
    ) WITH (
      'connector' = 'elasticsearch-7',
      'hosts' = '${params.get('es-hosts', 'http://127.0.0.1:9200')}',
      'index' = 'platform_pay_amount_1',
      'document-id.key-delimiter' = '$',
      'sink.bulk-flush.max-size' = '42mb',
      'sink.bulk-flush.max-actions' = '32',
      'sink.bulk-flush.interval' = '1000',
      'sink.bulk-flush.backoff.delay' = '1000',
      'format' = 'json'
    )`);
  tEnv.from('payment_msg')
    .select(call('province_id_to_name', col('provinceId')).as('province'), col('payAmount'))
    .groupBy(col('province'))
    .select(col('province'), call('sum', col('payAmount')).as('pay_amount'))
    .executeInsert('es_sink');
});
