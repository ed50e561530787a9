#!/usr/bin/env python3
"""Runs the peer engines over the workloads, records time and memory, compares answers.

    python3 bench/peers/run.py --rows 100000                      # all workloads, both peers
    python3 bench/peers/run.py --rows 10000000 --engines flink-java --workloads q0,tumble
    python3 bench/peers/run.py --rows 100000 --reference          # also check vs reference.py

Each run is `/usr/bin/time -v <engine command>`; its JSON line gets two more fields:
  peakRssMB      "Maximum resident set size" from /usr/bin/time (largest single process of
                 the tree: the JVM for both peers)
  peakTreeRssMB  the largest sum of VmRSS over the whole process tree, sampled every 100 ms
                 (PyFlink = Python client + JVM + Python UDF workers)
cpuSeconds     user+system CPU time of the whole process tree (last value sampled per
               process, so up to 100 ms of a process's final CPU time can be missed): less
               sensitive than wall time to other work on a shared machine
and loadAvg1 (the 1-minute load average when the run started; the machine is shared).
Results are appended to bench/.work/results/peers-<rows>.jsonl; answers go to
bench/.work/out/<rows>/<engine>-<workload>.csv and are compared byte for byte across engines.
Needs: bench/peers/flink-java/build.sh and bench/peers/pyflink/setup.sh done.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(os.path.dirname(HERE), ".work")
WORKLOADS = ["q0", "q1", "q2", "tumble", "sliding", "session", "spend", "payments", "join-dim", "q3", "topn"]
ENGINES = {
    "flink-java": [os.path.join(HERE, "flink-java", "run.sh")],
    "pyflink": [os.path.join(WORK, "pyflink-venv", "bin", "python"), os.path.join(HERE, "pyflink", "job.py")],
}


def tree_sample(root):
    """(sum of VmRSS in kB, {pid: utime+stime in clock ticks}) over root and its descendants."""
    children = {}
    rss = {}
    ticks = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read().rsplit(")", 1)[1].split()
            with open("/proc/%s/status" % pid) as f:
                m = re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M)
            children.setdefault(int(st[1]), []).append(int(pid))
            rss[int(pid)] = int(m.group(1)) if m else 0
            ticks[int(pid)] = int(st[11]) + int(st[12])
        except (OSError, ValueError, IndexError):
            continue
    total, seen, stack = 0, {}, [root]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        seen[p] = ticks.get(p, 0)
        stack.extend(children.get(p, []))
    return total, seen


def run_one(engine, workload, rows, sink, extra, log_dir):
    out = os.path.join(WORK, "out", str(rows), "%s-%s.csv" % (engine, workload))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = ENGINES[engine] + ["--workload", workload, "--rows", str(rows), "--input", "none", "--output", out, "--sink", sink] + extra
    err_path = os.path.join(log_dir, "%s-%s-%d.err" % (engine, workload, rows))
    load1 = os.getloadavg()[0]
    peak = [0]
    cpu = {}
    with open(err_path, "w") as err:
        proc = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        done = threading.Event()

        def sample():
            while not done.is_set():
                kb, ticks = tree_sample(proc.pid)
                peak[0] = max(peak[0], kb)
                for pid, t in ticks.items():
                    cpu[pid] = max(cpu.get(pid, 0), t)
                done.wait(0.1)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        stdout, _ = proc.communicate()
        done.set()
        th.join()
    with open(err_path) as f:
        err_text = f.read()
    line = None
    for ln in stdout.splitlines():
        if ln.startswith("{"):
            line = json.loads(ln)
    if proc.returncode != 0 or line is None:
        return {"engine": engine, "workload": workload, "rows": rows, "error": "exit %d, see %s" % (proc.returncode, err_path)}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err_text)
    line["peakRssMB"] = round(int(m.group(1)) / 1024) if m else None
    line["peakTreeRssMB"] = round(peak[0] / 1024)
    line["cpuSeconds"] = round(sum(cpu.values()) / os.sysconf("SC_CLK_TCK"), 1)
    line["loadAvg1"] = round(load1, 2)
    return line


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--engines", default="flink-java,pyflink")
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--sink", default="capture", choices=("capture", "blackhole"))
    p.add_argument("--udf-mode", default=None, choices=("process", "thread"), help="PyFlink payments UDF mode")
    p.add_argument("--repeat", type=int, default=1, help="runs per engine and workload (the summary takes the fastest)")
    p.add_argument("--reference", action="store_true", help="also compare with reference.py (slow at 10 M)")
    a = p.parse_args()
    engines = a.engines.split(",")
    workloads = a.workloads.split(",")

    subprocess.run([sys.executable, os.path.join(HERE, "gen-input.py"), "--rows", str(a.rows)], check=True)
    res_dir = os.path.join(WORK, "results")
    os.makedirs(res_dir, exist_ok=True)
    res_path = os.path.join(res_dir, "peers-%d.jsonl" % a.rows)
    failures = 0
    best = {}
    for w in workloads:
        outs = {}
        for e in engines:
            extra = ["--udf-mode", a.udf_mode] if (e == "pyflink" and a.udf_mode) else []
            for _ in range(a.repeat):
                r = run_one(e, w, a.rows, a.sink, extra, res_dir)
                r["when"] = time.strftime("%Y-%m-%dT%H:%M:%S")
                with open(res_path, "a") as f:
                    f.write(json.dumps(r) + "\n")
                print(json.dumps(r), flush=True)
                if "error" in r:
                    failures += 1
                    continue
                if a.sink == "capture":
                    outs[e] = r["output"]
                if (e, w) not in best or r["seconds"] < best[(e, w)]["seconds"]:
                    best[(e, w)] = r
        if len(outs) > 1:
            texts = {e: open(path).read() for e, path in outs.items()}
            same = len(set(texts.values())) == 1
            print("# %s: answers %s across %s" % (w, "IDENTICAL" if same else "DIFFER", ", ".join(outs)), flush=True)
            failures += 0 if same else 1
        if a.reference and outs:
            e0 = next(iter(outs))
            prefix = os.path.join(WORK, "out", str(a.rows), e0 + "-")
            rc = subprocess.run([sys.executable, os.path.join(HERE, "reference.py"), "--rows", str(a.rows), "--workload", w, "--compare", prefix]).returncode
            failures += 1 if rc else 0
    print("# fastest of %d run(s): engine workload seconds netRuntimeSeconds firstResultSeconds processSeconds rowsPerSecond peakTreeRssMB cpuSeconds loadAvg1" % a.repeat)
    for (e, w), r in sorted(best.items(), key=lambda kv: (workloads.index(kv[0][1]), kv[0][0])):
        print("# %-10s %-12s %8.2f %8.2f %8s %8.2f %10d %6d %7.1f %5.1f" % (
            e, w, r["seconds"], r["netRuntimeSeconds"] or 0, r["firstResultSeconds"], r["processSeconds"],
            r["rowsPerSecond"], r["peakTreeRssMB"], r["cpuSeconds"], r["loadAvg1"]))
    print("# results appended to %s; %d problem(s)" % (res_path, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
