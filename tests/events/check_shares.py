#!/usr/bin/env python3
"""Boot a share test (the command after --) and check the CPU shares the
guests printed (tests/events/share.cpp):

    (dN) share: dom=D count=C buckets=B1,B2,...

A domain's share is its count over the sum of all counts (all workers run
the same loop, so counts are proportional to CPU time).

  --expect-share D:F   domain D's share over the whole run is F, within
                       --tolerance (relative: |share - F| <= tol * F)
  --max-share D:F      domain D never exceeds F (plus the tolerance), over
                       the whole run and, with --per-bucket, in every bucket
"""
import argparse
import re
import subprocess
import sys

LINE = re.compile(r"^\(d\d+\) share: dom=(\d+) count=(\d+) buckets=([\d,]*)$")


def pair(text):
    dom, frac = text.split(":")
    return int(dom), float(frac)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", required=True)
    ap.add_argument("--expect-share", type=pair, action="append", default=[])
    ap.add_argument("--max-share", type=pair, action="append", default=[])
    ap.add_argument("--tolerance", type=float, default=0.05)
    ap.add_argument("--per-bucket", action="store_true")
    ap.add_argument("boot", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    boot = args.boot[1:] if args.boot[:1] == ["--"] else args.boot

    if boot:
        rc = subprocess.call(boot)
        if rc != 0:
            print(f"check_shares: the boot failed (exit {rc})")
            return rc

    counts, buckets = {}, {}
    with open(args.log, errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\r\n"))
            if m:
                dom = int(m.group(1))
                counts[dom] = int(m.group(2))
                buckets[dom] = [int(x) for x in m.group(3).split(",") if x]
    if not counts or sum(counts.values()) == 0:
        print("check_shares: no share lines in the log")
        return 1
    total = sum(counts.values())
    shares = {d: c / total for d, c in counts.items()}
    for d in sorted(shares):
        print(f"check_shares: dom{d}: count {counts[d]}, share {shares[d]:.4f}")

    ok = True
    for dom, want in args.expect_share:
        got = shares.get(dom)
        if got is None or abs(got - want) > args.tolerance * want:
            print(f"check_shares: FAILED: dom{dom} share {got} not within {args.tolerance:.0%} of {want:.4f}")
            ok = False
    for dom, cap in args.max_share:
        limit = cap * (1 + args.tolerance)
        if shares.get(dom, 0) > limit:
            print(f"check_shares: FAILED: dom{dom} share {shares[dom]:.4f} above {limit:.4f}")
            ok = False
        if args.per_bucket and dom in buckets:
            n = min(len(b) for b in buckets.values())
            for i in range(n):
                s = sum(b[i] for b in buckets.values())
                if s and buckets[dom][i] / s > limit:
                    print(f"check_shares: FAILED: dom{dom} bucket {i}: share {buckets[dom][i] / s:.4f} above {limit:.4f}")
                    ok = False
    print("check_shares: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
