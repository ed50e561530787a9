#!/usr/bin/env python3
"""Writes test/rank/flink-changelogs.json: the exact changelog real Flink (PyFlink 2.3.0, streaming,
parallelism 1, UTC) emits for each deduplication / Top-N query of rank.test.ts over events.jsonl.

    TZ=UTC /work/wt/.venv-flink/bin/python test/rank/flink_changelogs.py
"""
import json
import os

from pyflink.table import EnvironmentSettings, TableEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "flink-changelogs.json")


def main():
    with open(OUT) as f:
        queries = list(json.load(f)["changelogs"].keys())
    write_changelogs(queries, os.path.join(HERE, "events.jsonl"), OUT)


def write_changelogs(queries, events, out_file):
    """Runs each query over `ev` (the events file) and writes Flink's changelogs to out_file (test/over uses it too)."""
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    conf = env.get_config()
    conf.set("parallelism.default", "1")
    conf.set("table.local-time-zone", "UTC")
    conf.set("pipeline.auto-watermark-interval", "0")
    env.execute_sql("""CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3), pt AS PROCTIME(),
      WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
      WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')""" % events)
    out = {}
    for q in queries:
        lines = []
        with env.sql_query(q).execute().collect() as rows:
            for r in rows:
                lines.append("%s %s" % (r.get_row_kind(), json.dumps(list(r), separators=(",", ":"))))
        out[q] = lines
    with open(out_file, "w") as f:
        json.dump({"engine": "Flink 2.3.0 (PyFlink, streaming, parallelism 1, UTC)", "changelogs": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
