// The table walkthrough's job: hourly spend per account, from Kafka transactions into MySQL.
// Run it without Kafka and MySQL: `npm start` swaps both tables for embedded connectors (see README).
// `--window` computes the hours as the walkthrough's "Windows" step does: a tumbling event-time window, which
// fires once the watermark passes the hour and drops transactions that arrive after that (late records).
import { defineJob, $, lit, Table, TimeIntervalUnit, Tumble } from 'sluice';

export function report(transactions: Table): Table {
  return transactions
    .select($('account_id'), $('transaction_time').floor(TimeIntervalUnit.HOUR).as('log_ts'), $('amount'))
    .groupBy($('account_id'), $('log_ts'))
    .select($('account_id'), $('log_ts'), $('amount').sum().as('amount'));
}

export function windowedReport(transactions: Table): Table {
  return transactions
    .window(Tumble.over(lit(1).hours()).on($('transaction_time')).as('log_ts'))
    .groupBy($('account_id'), $('log_ts'))
    .select($('account_id'), $('log_ts').start().as('log_ts'), $('amount').sum().as('amount'));
}

export default defineJob('Spend Report', (tEnv, params) => {
  tEnv.executeSql(`
    CREATE TABLE transactions (
      account_id BIGINT,
      amount BIGINT,
      transaction_time TIMESTAMP(3),
      WATERMARK FOR transaction_time AS transaction_time - INTERVAL '5' SECOND
    ) WITH (
      'connector' = 'kafka',
      'topic' = '${params.get('topic', 'transactions')}',
      'properties.bootstrap.servers' = '${params.get('bootstrap.servers', '127.0.0.1:9092')}',
      'properties.group.id' = 'spend-report',
      'scan.startup.mode' = 'earliest-offset',
      'format' = 'csv'
    )`);
  tEnv.executeSql(`
    CREATE TABLE spend_report (
      account_id BIGINT,
      log_ts TIMESTAMP(3),
      amount BIGINT,
      PRIMARY KEY (account_id, log_ts) NOT ENFORCED
    ) WITH (
      'connector' = 'jdbc',
      'url' = '${params.get('jdbc-url', 'jdbc:mysql://127.0.0.1:3306/sql-demo')}',
      'table-name' = 'spend_report',
      'driver' = 'com.mysql.jdbc.Driver',
      'username' = 'sql-demo',
      'password' = 'demo-sql'
    )`);
  (params.has('window') ? windowedReport : report)(tEnv.from('transactions')).executeInsert('spend_report');
});
