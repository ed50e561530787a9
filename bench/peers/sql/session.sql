-- input: bids
-- session windows (10 s gap) per bidder: count and sum(price) per session.
CREATE TABLE bids (
  auction BIGINT,
  bidder  BIGINT,
  price   BIGINT,
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE session_out (bidder BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), cnt BIGINT, total BIGINT)
WITH (${sink:append});

INSERT INTO session_out
SELECT bidder,
       SESSION_START(ts, INTERVAL '10' SECOND) AS window_start,
       SESSION_END(ts, INTERVAL '10' SECOND) AS window_end,
       COUNT(*) AS cnt, SUM(price) AS total
FROM bids
GROUP BY SESSION(ts, INTERVAL '10' SECOND), bidder;
