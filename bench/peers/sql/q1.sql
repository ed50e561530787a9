-- input: bids
-- q1 currency conversion with integer math (price * 908 / 1000, truncating), checksum sink.
CREATE TABLE bids (
  auction BIGINT,
  bidder  BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE q1_out (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3))
WITH (${sink:checksum});

INSERT INTO q1_out SELECT auction, bidder, price * 908 / 1000 AS price, ts FROM bids;
