-- input: bids
-- sliding window (HOP, 5 s slide, 15 s size): count and sum(price) per auction MOD 10.
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
SELECT HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND) AS window_start,
       HOP_END(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND) AS window_end,
       MOD(auction, 10) AS bucket, COUNT(*) AS cnt, SUM(price) AS total
FROM bids
GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND), MOD(auction, 10);
