-- input: bids
-- Top-N: the three highest bids of each bidder, ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY price DESC)
-- <= 3 (Flink's AppendOnlyTopNFunction: an append-only input, a non-time order). The row number is selected,
-- so the result is an upsert changelog keyed by (bidder, rn); the answer is the final row per key. Equal
-- prices keep arrival order (the earlier bid ranks higher), on every engine.
CREATE TABLE bids (
  auction BIGINT,
  bidder  BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE topn_out (
  bidder  BIGINT,
  rn      BIGINT,
  auction BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  PRIMARY KEY (bidder, rn) NOT ENFORCED
) WITH (${sink:upsert});

INSERT INTO topn_out
SELECT bidder, rn, auction, price, ts
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder ORDER BY price DESC) AS rn
  FROM bids
)
WHERE rn <= 3;
