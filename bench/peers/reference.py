#!/usr/bin/env python3
"""Independent plain-Python answers for the peer workloads (no Flink involved).

    python3 bench/peers/reference.py --rows 100000 --workload session [--out FILE]
    python3 bench/peers/reference.py --rows 100000 --workload all --compare DIR/PREFIX

Computes each workload's answer straight from the generated CSV, in the exact file
format of the 'capture' sink (header line, then CSV rows sorted as strings; see
bench/peers/README.md), so it pins down the semantics that Flink and sluice must agree on:
integer division truncates, timestamps are wall-clock with millisecond precision,
HOP(5 s, 15 s) puts every row in 3 windows, and session windows merge when the
gap between two rows of a key is <= 10 s (Flink merges windows that touch).
It is slow (a few µs per row): meant for the 100 k-row check.
--compare P compares with files named P<workload>.csv (e.g. bench/.work/out/100000/java-).
"""
import argparse
import calendar
import os
import sys
import time
from collections import defaultdict
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(os.path.dirname(HERE), ".work")
PROVINCES = ("Beijing", "Shanghai", "Hangzhou", "Shenzhen", "Jiangxi", "Chongqing", "Xizang")
_sec_cache = {}


def ts_ms(s):
    """'yyyy-MM-dd HH:mm:ss.SSS' (read as UTC) -> epoch ms."""
    head = s[:19]
    sec = _sec_cache.get(head)
    if sec is None:
        sec = calendar.timegm(time.strptime(head, "%Y-%m-%d %H:%M:%S"))
        _sec_cache[head] = sec
    return sec * 1000 + int(s[20:23])


def fmt_ts(ms):
    sec, frac = divmod(ms, 1000)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)) + ".%03d" % frac


def fmt_double(d):
    return format(Decimal(d).normalize(), "f")


def rows(path):
    with open(path) as f:
        for line in f:
            yield line.rstrip("\n").split(",")


def out(header, lines):
    return [header] + sorted(lines)


def q0(inp):
    n = sa = sb = sp = st = 0
    for a, b, p, t in rows(inp["bids"]):
        n += 1
        sa += int(a)
        sb += int(b)
        sp += int(p)
        st += ts_ms(t)
    return out("count,sum_auction,sum_bidder,sum_price,sum_ts", ["%d,%d,%d,%d,%d" % (n, sa, sb, sp, st)])


def q1(inp):
    n = sa = sb = sp = st = 0
    for a, b, p, t in rows(inp["bids"]):
        n += 1
        sa += int(a)
        sb += int(b)
        sp += int(p) * 908 // 1000  # prices are positive: floor == truncation
        st += ts_ms(t)
    return out("count,sum_auction,sum_bidder,sum_price,sum_ts", ["%d,%d,%d,%d,%d" % (n, sa, sb, sp, st)])


def q2(inp):
    n = sa = sp = 0
    for a, _b, p, _t in rows(inp["bids"]):
        a = int(a)
        if a % 123 == 0:
            n += 1
            sa += a
            sp += int(p)
    return out("count,sum_auction,sum_price", ["%d,%d,%d" % (n, sa, sp)])


def tumble(inp):
    cnt = defaultdict(int)
    for page, t in rows(inp["clicks"]):
        ms = ts_ms(t)
        cnt[(ms - ms % 15000, page)] += 1
    return out("window_start,page,cnt", ["%s,%s,%d" % (fmt_ts(w), p, c) for (w, p), c in cnt.items()])


def sliding(inp):
    agg = defaultdict(lambda: [0, 0])
    for a, _b, p, t in rows(inp["bids"]):
        ms = ts_ms(t)
        last = ms - ms % 5000
        bucket = int(a) % 10
        for start in (last, last - 5000, last - 10000):
            acc = agg[(start, bucket)]
            acc[0] += 1
            acc[1] += int(p)
    return out(
        "window_start,window_end,bucket,cnt,total",
        ["%s,%s,%d,%d,%d" % (fmt_ts(s), fmt_ts(s + 15000), b, c, tot) for (s, b), (c, tot) in agg.items()],
    )


def session(inp):
    per = defaultdict(list)
    for _a, b, p, t in rows(inp["bids"]):
        per[int(b)].append((ts_ms(t), int(p)))
    lines = []
    for bidder, evs in per.items():
        evs.sort()
        start = last = evs[0][0]
        c = tot = 0
        for ms, p in evs:
            if ms - last > 10000:  # windows [t, t+10s) that touch are merged
                lines.append("%d,%s,%s,%d,%d" % (bidder, fmt_ts(start), fmt_ts(last + 10000), c, tot))
                start, c, tot = ms, 0, 0
            last = ms
            c += 1
            tot += p
        lines.append("%d,%s,%s,%d,%d" % (bidder, fmt_ts(start), fmt_ts(last + 10000), c, tot))
    return out("bidder,window_start,window_end,cnt,total", lines)


def spend(inp):
    s = defaultdict(int)
    for acc, amount, t in rows(inp["transactions"]):
        ms = ts_ms(t)
        s[(int(acc), ms - ms % 3600000)] += int(amount)
    return out("account_id,log_ts,amount", ["%d,%s,%d" % (a, fmt_ts(h), v) for (a, h), v in s.items()])


def payments(inp):
    s = defaultdict(float)
    for _ct, _oid, amount, _pf, prov in rows(inp["payments"]):
        s[PROVINCES[int(prov)]] += float(amount)
    return out("province,pay_amount", ["%s,%s" % (k, fmt_double(v)) for k, v in s.items()])


def persons_by_id(inp):
    by_id = defaultdict(list)
    for pid, name, city, state in rows(inp["persons"]):
        by_id[int(pid)].append((name, city, state))
    return by_id


def join_dim(inp):
    """The inner join as a relation: every (bid, person) pair with equal ids, whatever the arrival order."""
    by_id = persons_by_id(inp)
    n = sa = sb = sp = sn = ss = st = 0
    for a, b, p, t in rows(inp["bids"]):
        for name, _city, state in by_id.get(int(b), ()):
            n += 1
            sa += int(a)
            sb += int(b)
            sp += int(p)
            sn += len(name)
            ss += len(state)
            st += ts_ms(t)
    return out("count,sum_auction,sum_bidder,sum_price,sum_name,sum_state,sum_ts", ["%d,%d,%d,%d,%d,%d,%d" % (n, sa, sb, sp, sn, ss, st)])


def q3(inp):
    by_id = persons_by_id(inp)
    n = sn = sc = ss = si = 0
    for aid, seller, category, _reserve, _t in rows(inp["auctions"]):
        if category != "10":
            continue
        for name, city, state in by_id.get(int(seller), ()):
            if state in ("OR", "ID", "CA"):
                n += 1
                sn += len(name)
                sc += len(city)
                ss += len(state)
                si += int(aid)
    return out("count,sum_name,sum_city,sum_state,sum_id", ["%d,%d,%d,%d,%d" % (n, sn, sc, ss, si)])


def topn(inp):
    """The top 3 bids by price per bidder, equal prices in arrival order (a stable sort of each bidder's bids)."""
    per = defaultdict(list)
    for a, b, p, t in rows(inp["bids"]):
        per[int(b)].append((int(p), int(a), t))
    lines = []
    for bidder, bs in per.items():
        top = sorted(bs, key=lambda x: -x[0])[:3]  # sorted() is stable: ties stay in file order
        lines += ["%d,%d,%d,%d,%s" % (bidder, r + 1, a, p, t) for r, (p, a, t) in enumerate(top)]
    return out("bidder,rn,auction,price,ts", lines)


WORKLOADS = {f.__name__: f for f in (q0, q1, q2, tumble, sliding, session, spend, payments)}
# the window-TVF spellings of the window workloads have the same answers
WORKLOADS.update({"tumble-tvf": tumble, "sliding-tvf": sliding, "session-tvf": session})
WORKLOADS.update({"join-dim": join_dim, "q3": q3, "topn": topn})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--workload", default="all")
    p.add_argument("--input-dir", default=None)
    p.add_argument("--out", default=None, help="write the answer here (one workload)")
    p.add_argument("--compare", default=None, help="prefix of files to compare with")
    a = p.parse_args()
    d = a.input_dir or os.path.join(WORK, "input", str(a.rows))
    inp = {k: os.path.join(d, k + ".csv") for k in ("bids", "clicks", "transactions", "payments", "auctions", "persons")}
    names = list(WORKLOADS)[:8] if a.workload == "all" else a.workload.split(",")
    bad = 0
    for w in names:
        t0 = time.time()
        lines = WORKLOADS[w](inp)
        text = "\n".join(lines) + "\n"
        if a.out:
            with open(a.out, "w") as f:
                f.write(text)
        if a.compare:
            path = a.compare + w + ".csv"
            try:
                with open(path) as f:
                    got = f.read()
            except OSError as e:
                print("%-9s MISSING %s" % (w, e))
                bad += 1
                continue
            if got == text:
                print("%-9s OK   %d rows  (%s, %.1f s)" % (w, len(lines) - 1, path, time.time() - t0))
            else:
                bad += 1
                exp, have = set(lines), set(got.rstrip("\n").split("\n"))
                print("%-9s DIFF %s: %d expected rows missing, %d unexpected" % (w, path, len(exp - have), len(have - exp)))
                for x in sorted(exp - have)[:3]:
                    print("   - " + x)
                for x in sorted(have - exp)[:3]:
                    print("   + " + x)
        elif not a.out:
            sys.stdout.write(text)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
