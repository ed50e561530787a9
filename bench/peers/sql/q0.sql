-- input: bids
-- q0 pass-through: every bid, unchanged. Sink mode 'checksum' (count and column sums).
CREATE TABLE bids (
  auction BIGINT,
  bidder  BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE q0_out (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3))
WITH (${sink:checksum});

INSERT INTO q0_out SELECT auction, bidder, price, ts FROM bids;
