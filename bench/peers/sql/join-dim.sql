-- input: bids, persons
-- stream–dimension join: every bid with its bidder's name and state, a regular inner join of the bid stream
-- with the persons table (both files; the persons file is the dimension, 18,384 rows, and every bid matches
-- exactly one person). Both inputs are append-only, so the join's output is too: the answer is a checksum.
-- As in any regular join, both sides are kept in state (the engines cannot know the persons file is complete
-- before the bids are).
CREATE TABLE bids (
  auction BIGINT,
  bidder  BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE persons (
  id    BIGINT,
  name  STRING,
  city  STRING,
  state STRING
) WITH ('connector' = 'filesystem', 'path' = '${input:persons}', 'format' = 'csv');

CREATE TABLE join_dim_out (auction BIGINT, bidder BIGINT, price BIGINT, name STRING, state STRING, ts TIMESTAMP(3))
WITH (${sink:checksum});

INSERT INTO join_dim_out
SELECT b.auction, b.bidder, b.price, p.name, p.state, b.ts
FROM bids AS b JOIN persons AS p ON b.bidder = p.id;
