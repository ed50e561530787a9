#!/usr/bin/env python3
"""Writes test/cdc/flink-changelogs.json: the exact changelog real Flink (PyFlink 2.3.0, streaming,
parallelism 1, UTC) emits for each query of cases.json over the Debezium and Canal samples in this folder
(read by the filesystem connector with the debezium-json / canal-json formats). cdc.test.ts compares
sluice's changelogs with these.

    TZ=UTC /work/wt/.venv-flink/bin/python test/cdc/flink_changelogs.py
"""
import json
import os

from pyflink.table import EnvironmentSettings, TableEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "flink-changelogs.json")


def main():
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    conf = env.get_config()
    conf.set("parallelism.default", "1")
    conf.set("table.local-time-zone", "UTC")
    for ddl in cases["ddl"]:
        env.execute_sql(ddl.replace("${dir}", HERE))
    out = {}
    for q in cases["queries"]:
        try:
            table = env.sql_query(q)
            lines = []
            with table.execute().collect() as rows:
                for r in rows:
                    lines.append("%s %s" % (r.get_row_kind(), json.dumps([v if v is None or isinstance(v, (int, float, str, bool)) else str(v) for v in r], separators=(",", ":"))))
            out[q] = lines
        except Exception as e:  # noqa: BLE001 - an error is Flink's answer for the case
            out[q] = {"error": str(e).split("\n")[0][:400]}
    with open(OUT, "w") as f:
        json.dump({"engine": "Flink 2.3.0 (PyFlink, streaming, parallelism 1, UTC)", "changelogs": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
