#!/usr/bin/env python3
"""Deterministic input for the peer benchmark (Flink Java, PyFlink, sluice).

    python3 bench/peers/gen-input.py --rows 10000000 [--out DIR] [--only bids,clicks]

Writes, for one row count N, header-less CSV files (Flink's csv format has
no header option) into DIR (default bench/.work/input/<N>/):

  bids.csv          schema A  auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3)
  clicks.csv        schema B  page STRING, ts TIMESTAMP(3)
  transactions.csv  schema C  account_id BIGINT, amount BIGINT, transaction_time TIMESTAMP(3)
  payments.csv      schema D  createTime STRING, orderId BIGINT, payAmount DOUBLE,
                              payPlatform INT, provinceId INT
  auctions.csv      schema E  id BIGINT, seller BIGINT, category INT, reserve BIGINT, ts TIMESTAMP(3)
  persons.csv       schema F  id BIGINT, name STRING, city STRING, state STRING

Every file has exactly N rows, except persons.csv, the dimension table of the joins: one
row per person id, 18,384 rows whatever N is (the ids 1000..2999 and 100000..116383: every
bidder of bids.csv and every seller of auctions.csv is one of them, so every bid and
auction joins exactly one person). Names, cities and states are Nexmark's (6 states).
auctions.csv: id = 1000 + row number, seller a person (half of them from each id range),
category 10..14 (Nexmark's five), reserve 100..131171, timestamps in order. Timestamps are 'yyyy-MM-dd HH:mm:ss.SSS' wall-clock
(no time zone), starting at 2026-01-01 00:00:00.000 and advancing 1..4 ms per row
(about 2.5 ms on average, so 10 M rows span about 6.9 hours).
In bids and clicks one row in 16 is moved back by 0..899 ms: the disorder is always
under 1 s behind the largest timestamp seen so far, so with
WATERMARK ts - INTERVAL '1' SECOND no row is ever late and every engine must give
the same windows. transactions and payments are in order.

bids.bidder is made "gappy" so that SESSION(ts, 10 s) windows exist: time is cut
into 20 s blocks, and in each block 40 bidders (one of 50 rotating groups) make 63/64
of the bids; a group comes back only 1000 s later. The other 1/64 of bids come from
16384 occasional bidders (mostly single-bid sessions).
payments.payAmount is a multiple of 0.25 (1.00 .. 9999.75): every partial sum is
exact in a double, so sums do not depend on the order of addition.

The numbers come from Python's Mersenne Twister (random.Random(seed).getrandbits),
which is stable across Python versions; the same N always gives byte-identical files.
A file is (re)written only if it is missing or its ".ok" marker is.
"""
import argparse
import calendar
import os
import random
import sys
import time
from multiprocessing import Pool

START_MS = calendar.timegm((2026, 1, 1, 0, 0, 0)) * 1000
PAGES = ["/home", "/index", "/help", "/about", "/shop", "/cart"]
CHUNK = 200_000


class TsFormatter:
    """Formats epoch milliseconds as 'yyyy-MM-dd HH:mm:ss.SSS' (UTC wall clock)."""

    def __init__(self):
        self.sec = None
        self.prefix = ""

    def __call__(self, ms):
        sec, frac = divmod(ms, 1000)
        if sec != self.sec:
            self.sec = sec
            self.prefix = time.strftime("%Y-%m-%d %H:%M:%S.", time.gmtime(sec))
        return self.prefix + ("%03d" % frac)


def gen_bids(n, f):
    rnd = random.Random(1001).getrandbits
    fmt = TsFormatter()
    base = START_MS
    buf = []
    for i in range(n):
        base += 1 + rnd(2)
        ts = base
        if rnd(4) == 0:
            ts = base - rnd(10) % 900
        auction = 1000 + i // 100 + rnd(10)
        if rnd(6) == 0:
            bidder = 100_000 + rnd(14)
        else:
            block = (base - START_MS) // 20_000
            bidder = 1000 + (block % 50) * 40 + rnd(16) % 40
        price = 100 + rnd(17)
        buf.append("%d,%d,%d,%s\n" % (auction, bidder, price, fmt(ts)))
        if len(buf) >= CHUNK:
            f.write("".join(buf))
            buf.clear()
    f.write("".join(buf))


def gen_clicks(n, f):
    rnd = random.Random(2002).getrandbits
    fmt = TsFormatter()
    base = START_MS
    buf = []
    for _ in range(n):
        base += 1 + rnd(2)
        ts = base
        if rnd(4) == 0:
            ts = base - rnd(10) % 900
        page = PAGES[rnd(16) % 6]
        buf.append("%s,%s\n" % (page, fmt(ts)))
        if len(buf) >= CHUNK:
            f.write("".join(buf))
            buf.clear()
    f.write("".join(buf))


def gen_transactions(n, f):
    rnd = random.Random(3003).getrandbits
    fmt = TsFormatter()
    base = START_MS
    buf = []
    for _ in range(n):
        base += 1 + rnd(2)
        account = 1 + rnd(16) % 1000
        amount = 1 + rnd(16) % 1000
        buf.append("%d,%d,%s\n" % (account, amount, fmt(base)))
        if len(buf) >= CHUNK:
            f.write("".join(buf))
            buf.clear()
    f.write("".join(buf))


def gen_payments(n, f):
    rnd = random.Random(4004).getrandbits
    fmt = TsFormatter()
    base = START_MS
    buf = []
    for i in range(n):
        base += 1 + rnd(2)
        create_time = fmt(base)[:19]  # 'yyyy-MM-dd HH:mm:ss'
        quarters = 4 + rnd(20) % 39_996  # 1.00 .. 9999.75
        pay_amount = "%d.%02d" % (quarters // 4, (quarters % 4) * 25)
        platform = rnd(1)
        province = rnd(16) % 7
        buf.append("%s,%d,%s,%d,%d\n" % (create_time, i + 1, pay_amount, platform, province))
        if len(buf) >= CHUNK:
            f.write("".join(buf))
            buf.clear()
    f.write("".join(buf))


# Nexmark's person values (its generator's PersonGenerator).
FIRST_NAMES = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"]
LAST_NAMES = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"]
CITIES = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"]
STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"]
PERSON_IDS = list(range(1000, 3000)) + list(range(100_000, 116_384))


def gen_auctions(n, f):
    rnd = random.Random(5005).getrandbits
    fmt = TsFormatter()
    base = START_MS
    buf = []
    for i in range(n):
        base += 1 + rnd(2)
        if rnd(1) == 0:
            seller = 1000 + rnd(16) % 2000
        else:
            seller = 100_000 + rnd(14)
        category = 10 + rnd(8) % 5
        reserve = 100 + rnd(17)
        buf.append("%d,%d,%d,%d,%s\n" % (1000 + i, seller, category, reserve, fmt(base)))
        if len(buf) >= CHUNK:
            f.write("".join(buf))
            buf.clear()
    f.write("".join(buf))


def gen_persons(_n, f):
    rnd = random.Random(6006).getrandbits
    buf = []
    for pid in PERSON_IDS:
        name = "%s %s" % (FIRST_NAMES[rnd(8) % len(FIRST_NAMES)], LAST_NAMES[rnd(8) % len(LAST_NAMES)])
        city = CITIES[rnd(8) % len(CITIES)]
        state = STATES[rnd(8) % len(STATES)]
        buf.append("%d,%s,%s,%s\n" % (pid, name, city, state))
    f.write("".join(buf))
    return len(buf)


GENERATORS = {
    "bids": gen_bids,
    "clicks": gen_clicks,
    "transactions": gen_transactions,
    "payments": gen_payments,
    "auctions": gen_auctions,
    "persons": gen_persons,
}


def write_one(args):
    name, n, out = args
    path = os.path.join(out, name + ".csv")
    ok = path + ".ok"
    if os.path.exists(path) and os.path.exists(ok):
        return "%s: exists" % path
    if os.path.exists(ok):
        os.remove(ok)
    t0 = time.time()
    tmp = path + ".tmp"
    with open(tmp, "w", buffering=1 << 20) as f:
        written = GENERATORS[name](n, f)  # persons: its own count, not n
    os.replace(tmp, path)
    rows = n if written is None else written
    with open(ok, "w") as f:
        f.write("%d\n" % rows)
    return "%s: %d rows in %.1f s" % (path, rows, time.time() - t0)


def default_dir(rows):
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(here), ".work", "input", str(rows))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--out", default=None, help="directory (default bench/.work/input/<rows>)")
    p.add_argument("--only", default=",".join(GENERATORS), help="comma-separated subset")
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    out = a.out or default_dir(a.rows)
    os.makedirs(out, exist_ok=True)
    names = [s for s in a.only.split(",") if s]
    for s in names:
        if s not in GENERATORS:
            sys.exit("unknown input %r (have %s)" % (s, ", ".join(GENERATORS)))
    work = [(s, a.rows, out) for s in names]
    if a.jobs > 1 and len(work) > 1:
        with Pool(min(a.jobs, len(work))) as pool:
            for msg in pool.imap_unordered(write_one, work):
                print(msg, flush=True)
    else:
        for w in work:
            print(write_one(w), flush=True)


if __name__ == "__main__":
    main()
