-- input: clicks
-- 15 s tumbling-window count per page (legacy group-window syntax).
CREATE TABLE clicks (
  page STRING,
  ts   TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');

CREATE TABLE tumble_out (window_start TIMESTAMP(3), page STRING, cnt BIGINT)
WITH (${sink:append});

INSERT INTO tumble_out
SELECT TUMBLE_START(ts, INTERVAL '15' SECOND) AS window_start, page, COUNT(*) AS cnt
FROM clicks
GROUP BY TUMBLE(ts, INTERVAL '15' SECOND), page;
