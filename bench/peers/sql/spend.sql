-- input: transactions
-- spend report: non-windowed updating aggregate per (account, hour); the answer is the
-- final value per key (sink mode 'upsert' keeps the last row per primary key).
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
