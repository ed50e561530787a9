-- input: bids
-- Same answer as sliding.sql, with the HOP window table-valued function.
CREATE TABLE bids (
  auction BIGINT,
  bidder  BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE sliding_out (window_start TIMESTAMP(3), window_end TIMESTAMP(3), bucket BIGINT, cnt BIGINT, total BIGINT)
WITH (${sink:append});

INSERT INTO sliding_out
SELECT window_start, window_end, MOD(auction, 10) AS bucket, COUNT(*) AS cnt, SUM(price) AS total
FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND))
GROUP BY window_start, window_end, MOD(auction, 10);
