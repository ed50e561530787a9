#!/usr/bin/env python3
"""Writes test/udf/flink-changelogs.json: the exact changelog real Flink (PyFlink 2.3.0, streaming, parallelism 1,
UTC) emits for each query of udtf.test.ts and udaf.test.ts, with the same table and aggregate functions written in
Python as test/udf/fixtures/table-functions.ts and aggregate-functions.ts write them in TypeScript, over lines.jsonl
and ../rank/events.jsonl. Timestamps are written as epoch milliseconds (UTC), as sluice keeps them.

    TZ=UTC /work/wt/.venv-flink/bin/python test/udf/flink_udf_changelogs.py
"""
import datetime
import importlib.util
import os

from pyflink.table import DataTypes
from pyflink.table.udf import AggregateFunction, udaf, udtf

HERE = os.path.dirname(os.path.abspath(__file__))
# Flink's settings, a query's changelog and the JSON layout are test/rank's (its module has this file's name).
_spec = importlib.util.spec_from_file_location("rank_flink_changelogs", os.path.join(HERE, "..", "rank", "flink_changelogs.py"))
_rank = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_rank)
OUT = os.path.join(HERE, "flink-changelogs.json")

LATERAL = [
    "SELECT id, word, length FROM lines, LATERAL TABLE(split_words(line)) AS t(word, length)",
    "SELECT id, word, length FROM lines CROSS JOIN LATERAL TABLE(split_words(line)) AS t(word, length)",
    "SELECT id, word, length FROM lines LEFT JOIN LATERAL TABLE(split_words(line)) AS t(word, length) ON TRUE",
    "SELECT id, word FROM lines JOIN LATERAL TABLE(split_words(line)) AS t(word, length) ON length > 3",
    "SELECT id, t.word, UPPER(t.word) AS up FROM lines, LATERAL TABLE(split_words(line)) AS t(word, length) WHERE t.length < 5",
    "SELECT id, r FROM lines LEFT JOIN LATERAL TABLE(repeat_tag(tag, n)) AS t(r) ON TRUE",
    "SELECT word, COUNT(*) AS c, SUM(length) AS s FROM lines, LATERAL TABLE(split_words(line)) AS t(word, length) GROUP BY word",
]
AGGREGATE = [
    "SELECT k, weighted_avg(v, id) AS wa FROM ev GROUP BY k",
    "SELECT weighted_avg(v, id) AS wa, COUNT(*) AS c FROM ev",
    "SELECT k, weighted_avg(v, 2) FILTER (WHERE v > 2) AS wa FROM ev GROUP BY k",
    "SELECT c, weighted_avg(c, 1) AS wa, COUNT(*) AS n FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) GROUP BY c",
    "SELECT window_start, window_end, k, weighted_avg(v, id) AS wa FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end, k",
    "SELECT window_start, window_end, weighted_avg(v, id) AS wa FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)) GROUP BY window_start, window_end",
    "SELECT k, TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, weighted_avg(v, id) AS wa FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND)",
    "SELECT k, SESSION_START(ts, INTERVAL '2' SECOND) AS ws, SESSION_END(ts, INTERVAL '2' SECOND) AS we, weighted_avg(v, id) AS wa, COUNT(*) AS c FROM ev GROUP BY k, SESSION(ts, INTERVAL '2' SECOND)",
]
# weighted_avg(DISTINCT v, 1) is the mean of the distinct values: Flink's distinct view gives the function each
# distinct argument tuple once, and on an updating input takes it back when its last occurrence goes.
DISTINCT = [
    "SELECT k, weighted_avg(DISTINCT v, 1) AS wa, COUNT(DISTINCT v) AS n FROM ev GROUP BY k",
    "SELECT weighted_avg(DISTINCT v, 1) FILTER (WHERE v > 0) AS wa, weighted_avg(v, 1) AS a FROM ev",
    "SELECT k, weighted_avg(DISTINCT v, MOD(id, 2)) AS wa FROM ev GROUP BY k",
    "SELECT MOD(c, 2) AS p, weighted_avg(DISTINCT c, 1) AS wa, COUNT(*) AS n FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) GROUP BY MOD(c, 2)",
    "SELECT window_start, window_end, weighted_avg(DISTINCT v, 1) AS wa FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
    "SELECT window_start, window_end, weighted_avg(DISTINCT v, 1) AS wa FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
]
# Queries whose Flink reference is computed with built-in aggregates that give what weighted_avg gives there (the
# mean of v as a DOUBLE; SUM(v * id) / SUM(id), NULL while SUM(id) is 0); the key is sluice's query. Aggregate
# functions over OVER windows (a bounded frame retracts the rows that leave it): PyFlink runs no general Python
# aggregate function over an OVER window ("Cannot generate a valid execution plan"). DISTINCT in a session window:
# PyFlink's Python aggregate loses distinct values when sessions merge (it gives 3.5 for the values 8, 1, 8, 8, -1
# of one session, and NULL for some sessions), where Flink's Java distinct view (DistinctAggCodeGen.merge) keeps them.
BY_BUILTINS = {
    "SELECT k, SESSION_START(ts, INTERVAL '2' SECOND) AS ws, weighted_avg(DISTINCT v, 1) AS wa FROM ev GROUP BY k, SESSION(ts, INTERVAL '2' SECOND)":
        "SELECT k, SESSION_START(ts, INTERVAL '2' SECOND) AS ws, AVG(DISTINCT CAST(v AS DOUBLE)) AS wa FROM ev GROUP BY k, SESSION(ts, INTERVAL '2' SECOND)",
    "SELECT id, k, weighted_avg(v, 1) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS wa FROM ev":
        "SELECT id, k, AVG(CAST(v AS DOUBLE)) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS wa FROM ev",
    "SELECT id, k, weighted_avg(v, id) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW) AS wa FROM ev":
        "SELECT id, k, CAST(SUM(v * id) OVER w AS DOUBLE) / NULLIF(SUM(id) OVER w, 0) AS wa FROM ev"
        " WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW)",
    "SELECT id, weighted_avg(v, 1) OVER (ORDER BY ts) AS wa FROM ev":
        "SELECT id, AVG(CAST(v AS DOUBLE)) OVER (ORDER BY ts) AS wa FROM ev",
    "SELECT id, k, weighted_avg(DISTINCT v, 1) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS wa FROM ev":
        "SELECT id, k, AVG(DISTINCT CAST(v AS DOUBLE)) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS wa FROM ev",
}
# LATERAL TABLE on an updating input: each changelog row is expanded with its own kind. (Not LEFT JOIN LATERAL: there
# PyFlink's Python table function operator sends -U rows padded with NULLs that it never sent, a changelog that does
# not add up; the LEFT correlate of an updating input is compared with Flink's Java one through UNNEST, in
# test/conformance, family unnest.)
UPDATING_LATERAL = [
    "SELECT k, r FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k), LATERAL TABLE(repeat_tag(COALESCE(k, 'none'), MOD(c, 3))) AS t(r)",
    "SELECT word, COUNT(*) AS n FROM (SELECT k, LISTAGG(CAST(v AS STRING), ' ') AS s FROM ev GROUP BY k), LATERAL TABLE(split_words(s)) AS t(word, length) GROUP BY word",
]


@udtf(result_types=[DataTypes.STRING(), DataTypes.DOUBLE()])
def split_words(line):
    """The words of a line (split at single spaces, empty ones left out) and their lengths."""
    if line is None:
        return
    for w in line.split(" "):
        if w:
            yield w, float(len(w))


@udtf(result_types=[DataTypes.STRING()])
def repeat_tag(tag, n):
    """The tag n times (none for a NULL tag or count)."""
    if tag is None or n is None:
        return
    for i in range(int(n)):
        yield tag + str(i)


class WeightedAvg(AggregateFunction):
    """sum(value * weight) / sum(weight) over the rows whose value and weight are not NULL; NULL while the weights sum to 0."""

    def create_accumulator(self):
        return [0, 0]

    def accumulate(self, acc, value, weight):
        if value is None or weight is None:
            return
        acc[0] += value * weight
        acc[1] += weight

    def retract(self, acc, value, weight):
        if value is None or weight is None:
            return
        acc[0] -= value * weight
        acc[1] -= weight

    def merge(self, acc, accs):
        for a in accs:
            acc[0] += a[0]
            acc[1] += a[1]

    def get_value(self, acc):
        return None if acc[1] == 0 else acc[0] / acc[1]

    def get_result_type(self):
        return DataTypes.DOUBLE()

    def get_accumulator_type(self):
        return DataTypes.ARRAY(DataTypes.BIGINT())


def value(x):
    """A TIMESTAMP as epoch milliseconds (UTC), as sluice keeps it; anything else as it is."""
    if isinstance(x, datetime.datetime):
        return int(x.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
    return x


def main():
    env = _rank.streaming_env()
    env.execute_sql("""CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3),
      WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
      WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')""" % os.path.join(HERE, "..", "rank", "events.jsonl"))
    env.execute_sql("""CREATE TABLE lines (id INT, line STRING, tag STRING, n INT, ts TIMESTAMP(3))
      WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')""" % os.path.join(HERE, "lines.jsonl"))
    env.create_temporary_function("split_words", split_words)
    env.create_temporary_function("repeat_tag", repeat_tag)
    env.create_temporary_function("weighted_avg", udaf(WeightedAvg(), func_type="general"))
    out = {}
    queries = [(q, q) for q in LATERAL + AGGREGATE + DISTINCT + UPDATING_LATERAL] + list(BY_BUILTINS.items())
    for q, flink_query in queries:
        try:
            out[q] = _rank.changelog(env, flink_query, value)
        except Exception as e:  # noqa: BLE001 (the report names what Flink refused)
            print("FAILED: %s\n  %s" % (flink_query, str(e).splitlines()[0] if str(e) else type(e).__name__))
    _rank.write_json(out, OUT)


if __name__ == "__main__":
    main()
