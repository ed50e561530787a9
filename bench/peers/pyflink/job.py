#!/usr/bin/env python3
"""PyFlink peer: one benchmark workload on PyFlink's Table API (local mini cluster,
parallelism 1, streaming mode); prints one JSON line on stdout.

    bench/.work/pyflink-venv/bin/python bench/peers/pyflink/job.py \
        --workload q0|q1|q2|tumble|sliding|session|spend|payments|join-dim|q3|topn --rows N \
        --input FILE.csv|none --output FILE [--sink capture|blackhole] \
        [--udf-mode process|thread]

The SQL is bench/peers/sql/<workload>.sql, the same file the Flink Java peer runs; the
'capture' sink is the Java one from bench/peers/flink-java (loaded with pipeline.jars), so
answers and first-result times are taken the same way as in the Java peer. The only
Python code in the job itself is the province_id_to_name UDF of the 'payments' workload.
"""
import argparse
import json
import os
import re
import sys
import time


def process_start_epoch():
    """Epoch seconds at which this process started (from /proc, CLOCK_BOOTTIME based)."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5): starttime, in clock ticks
        hz = os.sysconf("SC_CLK_TCK")
        elapsed = time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / hz
        return time.time() - elapsed
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time()


START = process_start_epoch()

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.dirname(HERE)
WORK = os.path.join(os.path.dirname(PEERS), ".work")
JAR = os.path.join(WORK, "flink-java", "target", "sluice-flink-peer-0.1.0.jar")
SINK = re.compile(r"\$\{sink:(\w+)\}")
OTHER_INPUT = re.compile(r"\$\{input:(\w+)\}")
INPUT_KIND = re.compile(r"^--\s*input:\s*(\w+)", re.M)
CONFIG = re.compile(r"^--\s*config:\s*([\w.-]+)\s*=\s*(.*?)\s*$", re.M)
PROVINCES = ("Beijing", "Shanghai", "Hangzhou", "Shenzhen", "Jiangxi", "Chongqing", "Xizang")


def render(script, input_path, output_path, sink):
    """Same rendering as FlinkPeer.render in the Java peer."""
    lines = [ln for ln in script.split("\n") if not ln.strip().startswith("--")]
    s = "\n".join(lines) + "\n"
    s = s.replace("${input}", input_path.replace("'", "''"))
    # a join's other table: the file <kind>.csv beside ${input}
    s = OTHER_INPUT.sub(
        lambda m: os.path.join(os.path.dirname(input_path), m.group(1) + ".csv").replace("'", "''"), s
    )

    def opts(m):
        if sink == "blackhole":
            return "'connector' = 'blackhole'"
        return "'connector' = 'capture', 'mode' = '%s', 'path' = '%s'" % (
            m.group(1),
            output_path.replace("'", "''"),
        )

    s = SINK.sub(opts, s)
    return [st.strip() for st in re.split(r";\s*(?:\n|$)", s) if st.strip()]


def main():
    p = argparse.ArgumentParser(description="PyFlink peer of the sluice benchmark")
    p.add_argument("--workload", required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--input", required=True, help="CSV file, or 'none' for bench/.work/input/<rows>/<schema>.csv")
    p.add_argument("--output", required=True)
    p.add_argument("--sink", choices=("capture", "blackhole"), default="capture")
    p.add_argument("--udf-mode", choices=("process", "thread"), default="process")
    p.add_argument("--sql-dir", default=os.path.join(PEERS, "sql"))
    a = p.parse_args()

    sql_file = os.path.join(a.sql_dir, a.workload + ".sql")
    with open(sql_file) as f:
        script = f.read()
    input_path = a.input
    if input_path == "none":
        m = INPUT_KIND.search(script)
        if not m:
            sys.exit("%s has no '-- input: <name>' line" % sql_file)
        input_path = os.path.join(WORK, "input", str(a.rows), m.group(1) + ".csv")
    input_path = os.path.abspath(input_path)
    if not os.path.isfile(input_path):
        sys.exit("input %s is missing (python3 bench/peers/gen-input.py --rows %d)" % (input_path, a.rows))
    if not os.path.isfile(JAR):
        sys.exit("%s is missing: run bench/peers/flink-java/build.sh" % JAR)
    output_path = os.path.abspath(a.output)
    meta_path = output_path + ".meta.json"
    for path in (output_path, meta_path):
        if os.path.exists(path):
            os.remove(path)
    statements = render(script, input_path, output_path, a.sink)

    if a.udf_mode == "thread":
        # 'thread' mode runs the UDF in a Python interpreter embedded in the JVM (pemja); that
        # interpreter does not see the venv unless its site-packages are on PYTHONPATH.
        import site

        extra = os.pathsep.join(site.getsitepackages())
        old = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = extra + (os.pathsep + old if old else "")

    from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
    from pyflink.table.udf import udf
    import pyflink.version

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    conf = t_env.get_config()
    conf.set("parallelism.default", "1")
    conf.set("table.exec.resource.default-parallelism", "1")
    conf.set("pipeline.name", "sluice-bench-" + a.workload)
    # The workload's own settings ('-- config: key = value' lines), the same for every engine.
    for key, value in CONFIG.findall(script):
        conf.set(key, value)
    conf.set("pipeline.jars", "file://" + JAR)
    conf.set("python.executable", sys.executable)
    conf.set("python.client.executable", sys.executable)
    conf.set("python.execution-mode", a.udf_mode)

    @udf(result_type=DataTypes.STRING())
    def province_id_to_name(province_id):
        return PROVINCES[province_id]

    t_env.create_temporary_system_function("province_id_to_name", province_id_to_name)

    for st in statements[:-1]:
        t_env.execute_sql(st)
    submit = time.time()
    result = t_env.execute_sql(statements[-1])
    result.wait()
    seconds = time.time() - submit
    net = None
    try:
        net = result.get_job_client().get_job_execution_result().result().get_net_runtime() / 1000.0
    except Exception:  # not available: leave null
        pass
    end = time.time()

    first = out_rows = records = None
    if a.sink == "capture":
        with open(meta_path) as f:
            meta = json.load(f)
        first, out_rows, records = meta["firstRecordEpochMs"], meta["rows"], meta["records"]
    line = {
        "engine": "pyflink",
        "workload": a.workload,
        "rows": a.rows,
        "seconds": round(seconds, 3),
        "firstResultSeconds": None if first is None or first < 0 else round(first / 1000.0 - START, 3),
        "rowsPerSecond": round(a.rows / seconds),
        "netRuntimeSeconds": None if net is None else round(net, 3),
        "processSeconds": round(end - START, 3),
        "sink": a.sink,
        "sinkRecords": records,
        "outputRows": out_rows,
        "flinkVersion": pyflink.version.__version__,
        "pythonVersion": "%d.%d.%d" % sys.version_info[:3],
        "udfMode": a.udf_mode if a.workload == "payments" else None,
        "input": input_path,
        "output": output_path if a.sink == "capture" else None,
    }
    print(json.dumps(line, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
