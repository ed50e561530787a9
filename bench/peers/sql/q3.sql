-- input: auctions, persons
-- Nexmark q3 (local item suggestion): the auctions of category 10 whose seller lives in Oregon, Idaho or
-- California, with the seller's name, city and state. A regular inner join of the auction stream and the
-- persons table; each side's condition is applied before the join (1 auction in 5, half of the persons are
-- kept in state). Append-only output: the answer is a checksum.
CREATE TABLE auctions (
  id       BIGINT,
  seller   BIGINT,
  category INT,
  reserve  BIGINT,
  ts       TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE persons (
  id    BIGINT,
  name  STRING,
  city  STRING,
  state STRING
) WITH ('connector' = 'filesystem', 'path' = '${input:persons}', 'format' = 'csv');

CREATE TABLE q3_out (name STRING, city STRING, state STRING, id BIGINT)
WITH (${sink:checksum});

INSERT INTO q3_out
SELECT P.name, P.city, P.state, A.id
FROM auctions AS A INNER JOIN persons AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
