-- input: transactions
-- spend report: non-windowed updating aggregate per (account, hour); the answer is the
-- final value per key (sink mode 'upsert' keeps the last row per primary key).
-- Mini-batch aggregation, as Flink's tuning guide sets it up for updating aggregates: each key's
-- changes go out once per 20 000 input rows or 200 ms, whichever comes first (every engine).
-- config: table.exec.mini-batch.enabled = true
-- config: table.exec.mini-batch.allow-latency = 200 ms
-- config: table.exec.mini-batch.size = 20000
CREATE TABLE transactions (
  account_id       BIGINT,
  amount           BIGINT,
  transaction_time TIMESTAMP(3),
  WATERMARK FOR transaction_time AS transaction_time - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE spend_report (
  account_id BIGINT,
  log_ts     TIMESTAMP(3),
  amount     BIGINT,
  PRIMARY KEY (account_id, log_ts) NOT ENFORCED
) WITH (${sink:upsert});

INSERT INTO spend_report
SELECT account_id, FLOOR(transaction_time TO HOUR) AS log_ts, SUM(amount) AS amount
FROM transactions
GROUP BY account_id, FLOOR(transaction_time TO HOUR);
