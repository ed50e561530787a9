-- input: clicks
-- Same answer as tumble.sql, written with the window table-valued function (Flink's
-- recommended syntax; runs the slicing window aggregate instead of the legacy operator).
CREATE TABLE clicks (
  page STRING,
  ts   TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE tumble_out (window_start TIMESTAMP(3), page STRING, cnt BIGINT)
WITH (${sink:append});

INSERT INTO tumble_out
SELECT window_start, page, COUNT(*) AS cnt
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '15' SECOND))
GROUP BY window_start, window_end, page;
