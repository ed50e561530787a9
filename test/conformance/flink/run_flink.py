#!/usr/bin/env python3
"""Runs the conformance corpus on real Flink (PyFlink 2.3.0: local mini cluster, streaming mode, or batch
mode for the cases marked so, parallelism 1, UTC) and writes test/conformance/expected.json: per case the
result column types, the final rows as Flink's print connector writes them (Row.toString; the changelog
applied, sorted, or in the order they came for the cases marked ordered), or the error Flink raised.

    bash test/conformance/flink/regenerate.sh      # exports the corpus, then runs this

Cases run in batches, each batch one job (a statement set with one print sink per case, told apart by
print-identifier); the JVM's stdout (this process's fd 1, redirected to a file) carries the rows. When a
batch's job fails, its cases run one by one so the failure is pinned on the case that raised it.
"""
import json
import os
import re
import sys
import tempfile

BATCH = 40
LINE = re.compile(r"^(c\d+)> ([+-][IUD])\[(.*)\]$")


def main():
    work = os.path.abspath(sys.argv[1])
    out_path = os.path.abspath(sys.argv[2])
    with open(os.path.join(work, "cases.json")) as f:
        corpus = json.load(f)

    # The JVM that PyFlink starts inherits fd 1: send it to a file we read after each job.
    capture = tempfile.NamedTemporaryFile(prefix="flink-print-", suffix=".txt", delete=False)
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(capture.fileno(), 1)
    log = os.fdopen(saved, "w", buffering=1)

    from pyflink.table import EnvironmentSettings, TableDescriptor, TableEnvironment

    def environment(settings):
        env = TableEnvironment.create(settings)
        conf = env.get_config()
        conf.set("parallelism.default", "1")
        conf.set("table.local-time-zone", "UTC")
        # A watermark after every record (see test/conformance/inputs.ts for why lateness is the same in sluice).
        conf.set("pipeline.auto-watermark-interval", "0")
        for ddl in corpus["ddl"]:
            env.execute_sql(ddl)
        return env

    envs = {"streaming": environment(EnvironmentSettings.in_streaming_mode())}
    if any(c.get("mode") == "batch" for c in corpus["cases"]):
        envs["batch"] = environment(EnvironmentSettings.in_batch_mode())
    env = envs["streaming"]

    results = {}
    planned = {mode: [] for mode in envs}
    for n, case in enumerate(corpus["cases"]):
        try:
            table = envs[case.get("mode", "streaming")].sql_query(case["sql"])
            schema = table._j_table.getResolvedSchema()
            types = [str(t.toString()) for t in schema.getColumnDataTypes()]
            planned[case.get("mode", "streaming")].append((n, case, table))
            results[case["id"]] = {"types": types}
        except Exception as e:  # noqa: BLE001 - any planning failure is the expected answer
            results[case["id"]] = {"error": short_error(e)}

    offset = [0]

    def new_output():
        sys.stdout.flush()
        with open(capture.name, encoding="utf-8", errors="replace") as f:
            f.seek(offset[0])
            text = f.read()
            offset[0] = f.tell()
        return text

    def run(batch):
        ss = envs[batch[0][1].get("mode", "streaming")].create_statement_set()
        for n, _, table in batch:
            ss.add_insert(TableDescriptor.for_connector("print").option("print-identifier", "c%d" % n).build(), table)
        new_output()
        ss.execute().wait()
        return parse(new_output())

    for start, batch, total in [(s, p[s:s + BATCH], len(p)) for p in planned.values() for s in range(0, len(p), BATCH)]:
        log.write("batch %d-%d of %d\n" % (start, start + len(batch), total))
        try:
            rows = run(batch)
        except Exception:  # noqa: BLE001
            rows = {}
            for one in batch:
                try:
                    rows.update(run([one]))
                except Exception as e:  # noqa: BLE001
                    results[one[1]["id"]] = {"types": results[one[1]["id"]]["types"], "error": short_error(e)}
        for n, case, _ in batch:
            if "error" not in results[case["id"]]:
                got = rows.get("c%d" % n, [])
                results[case["id"]]["rows"] = got if case.get("ordered") else sorted(got)

    version = env._j_tenv.getClass().getPackage().getImplementationVersion()
    with open(out_path, "w") as f:
        json.dump({"engine": "Flink %s (PyFlink, streaming, parallelism 1, UTC)" % (version or "2.3.0"),
                   "cases": results}, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    log.write("%d cases, %d errors\n" % (len(results), sum(1 for r in results.values() if "error" in r)))
    os.unlink(capture.name)


def parse(text):
    """Print lines to the final rows per sink: +I/+U add a row, -U/-D take one away."""
    rows = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        sink, kind, body = m.groups()
        bag = rows.setdefault(sink, [])
        if kind in ("+I", "+U"):
            bag.append("[" + body + "]")
        else:
            bag.remove("[" + body + "]")
    return rows


def short_error(e):
    """The innermost cause of a Java exception, on one line."""
    text = str(e)
    causes = re.findall(r"Caused by: ([^\n]+)", text)
    line = causes[-1] if causes else next((ln for ln in text.splitlines() if "Exception" in ln), text.splitlines()[0] if text else "error")
    return line.strip()[:300]


if __name__ == "__main__":
    main()
