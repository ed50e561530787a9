-- input: payments
-- payments: a user-defined scalar function province_id_to_name (Java ScalarFunction in the
-- Flink Java peer, Python UDF in PyFlink), then SUM(payAmount) per province (updating).
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
