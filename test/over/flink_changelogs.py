#!/usr/bin/env python3
"""Writes test/over/flink-changelogs.json: the exact changelog real Flink (PyFlink 2.3.0, streaming,
parallelism 1, UTC) emits for each OVER aggregate query of over.test.ts over events.jsonl (the queries are
this file's QUERIES; over.test.ts runs every query the JSON holds).

    TZ=UTC /work/wt/.venv-flink/bin/python test/over/flink_changelogs.py
"""
import os

import importlib.util

HERE = os.path.dirname(os.path.abspath(__file__))
# The runner is test/rank's (one table, Flink's settings, the JSON layout); its module has this file's name.
_spec = importlib.util.spec_from_file_location("rank_flink_changelogs", os.path.join(HERE, "..", "rank", "flink_changelogs.py"))
_rank = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_rank)
write_changelogs = _rank.write_changelogs
OUT = os.path.join(HERE, "flink-changelogs.json")

QUERIES = [
    "SELECT id, k, v, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s, "
    "COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS c FROM ev",
    "SELECT id, AVG(v) OVER w AS a, MIN(v) OVER w AS mn, MAX(v) OVER w AS mx, COUNT(v) OVER w AS c FROM ev "
    "WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW)",
    # Without the NULL values: LAG of a NULL value gives -1 in Flink 2.3 (the conformance ledger has the case).
    "SELECT id, k, LAG(v) OVER (PARTITION BY k ORDER BY ts) AS p1, LAG(v, 2, 100) OVER (PARTITION BY k ORDER BY ts) AS p2 "
    "FROM ev WHERE v IS NOT NULL",
    "SELECT id, SUM(v) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s, "
    "MAX(v) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS m FROM ev",
    "SELECT id, k, SUM(v) OVER w AS s, COUNT(DISTINCT v) OVER w AS d FROM ev "
    "WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
    "SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM ev",
    "SELECT id, COUNT(*) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c, "
    "SUM(v) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM ev",
    "SELECT id, SUM(v * 2) OVER w AS s2, MIN(k) OVER w AS mk, AVG(CAST(v AS DOUBLE)) OVER w AS ad FROM ev "
    "WINDOW w AS (ORDER BY ts RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW)",
    "SELECT id, s - v AS d FROM (SELECT id, v, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s "
    "FROM ev WHERE v IS NOT NULL) WHERE s > 3",
    "SELECT id, MAX(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS m, "
    "MIN(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS n FROM ev",
]


def main():
    write_changelogs(QUERIES, os.path.join(HERE, "events.jsonl"), OUT)


if __name__ == "__main__":
    main()
