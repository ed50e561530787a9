-- input: bids
-- q2 selection: bids on every 123rd auction, checksum sink.
CREATE TABLE bids (
  auction BIGINT,
  bidder  BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE q2_out (auction BIGINT, price BIGINT)
WITH (${sink:checksum});

INSERT INTO q2_out SELECT auction, price FROM bids WHERE MOD(auction, 123) = 0;
