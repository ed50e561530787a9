-- input: payments
-- payments: a user-defined scalar function province_id_to_name (Java ScalarFunction in the
-- Flink Java peer, Python UDF in PyFlink), then SUM(payAmount) per province (updating).
-- Mini-batch aggregation, as Flink's tuning guide sets it up for updating aggregates: each key's
-- changes go out once per 20 000 input rows or 200 ms, whichever comes first (every engine).
-- config: table.exec.mini-batch.enabled = true
-- config: table.exec.mini-batch.allow-latency = 200 ms
-- config: table.exec.mini-batch.size = 20000
CREATE TABLE payments (
  createTime  STRING,
  orderId     BIGINT,
  payAmount   DOUBLE,
  payPlatform INT,
  provinceId  INT
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE payments_out (
  province   STRING,
  pay_amount DOUBLE,
  PRIMARY KEY (province) NOT ENFORCED
) WITH (${sink:upsert});

INSERT INTO payments_out
SELECT province, SUM(payAmount) AS pay_amount
FROM (SELECT province_id_to_name(provinceId) AS province, payAmount FROM payments)
GROUP BY province;
