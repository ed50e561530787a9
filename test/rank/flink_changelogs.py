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
    env = streaming_env()
    env.execute_sql("""CREATE TABLE ev (id INT, k STRING, v INT, ts TIMESTAMP(3), pt AS PROCTIME(),
      WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
      WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json')""" % events)
    write_json({q: changelog(env, q) for q in queries}, out_file)


def streaming_env():
    """A streaming TableEnvironment with the settings every expected file is made with (test/udf uses it too)."""
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    conf = env.get_config()
    conf.set("parallelism.default", "1")
    conf.set("table.local-time-zone", "UTC")
    conf.set("pipeline.auto-watermark-interval", "0")
    return env


def changelog(env, query, value=lambda x: x):
    """The query's changelog as lines '+I [values as JSON]', each value through `value` first."""
    lines = []
    with env.sql_query(query).execute().collect() as rows:
        for r in rows:
            lines.append("%s %s" % (r.get_row_kind(), json.dumps([value(x) for x in r], separators=(",", ":"))))
    return lines


def write_json(changelogs, out_file):
    """Writes the changelogs by query with the engine's name, the layout the tests read."""
    with open(out_file, "w") as f:
        json.dump({"engine": "Flink 2.3.0 (PyFlink, streaming, parallelism 1, UTC)", "changelogs": changelogs}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
