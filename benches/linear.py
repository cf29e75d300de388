#!/usr/bin/env python3
"""Input paths that must stay linear (issue 30), timed on release builds side by side.

Generates, in --work:
  waivers-N.yaml      N waivers of a 10-rule pack, checked on one report (`check --waivers`)
  diff-N/{old,new}    a pack of N rules and the same pack with every 100th rule changed
                      (`diff old new`, and `diff old old` for a pack against itself)
  malformed-N.yaml    a report of N malformed amounts, one line holding `é` (the reader's
                      error spans in a non-ASCII file)
  messy-N.xfoot       N rules written off the canonical layout (`fmt --check`)
and times each crossfoot binary given (the build before the change first, then this one)
on each, with the peer a reviewer or an engineer would otherwise use on the same files
(GNU `diff -u`, Python's `yaml.safe_load`) in the same run. Median wall time of --runs.

  python3 benches/linear.py --binary before=/tmp/crossfoot-before \
      --binary now=target/release/crossfoot --scale 1
  python3 benches/linear.py --binary now=target/release/crossfoot --scale 10
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

SIZES = {"waivers": 16_000, "diff": 4_000, "malformed": 20_000, "messy": 100_000}


def pack(n, changed=None):
    out = []
    for i in range(n):
        a, b, c = 10_000 + 3 * i % 80_000, 10_001 + 3 * i % 80_000, 10_002 + 3 * i % 80_000
        op = "-" if changed is not None and i % changed == 0 else "+"
        out.append(f'rule g.r{i} "Rule {i}"\n  cite "17 CFR 1.{i}"\n  {a} = {b} {op} {c}\n')
    return "\n".join(out)


def generate(work, scale):
    os.makedirs(work, exist_ok=True)
    files = {}
    n = SIZES["waivers"] * scale
    small = os.path.join(work, "small.xfoot")
    with open(small, "w") as f:
        f.write("\n".join(f"rule w.r{i}\n  7190 = 7180 - 7060\n" for i in range(10)))
    with open(os.path.join(work, "report.yaml"), "w") as f:
        f.write("firm: Firm é\nas_of: 2024-06-30\nlines:\n  7190: 1\n  7180: 1\n  7060: 0\n")
    waivers = os.path.join(work, f"waivers-{n}.yaml")
    with open(waivers, "w") as f:
        f.write("waivers:\n")
        for i in range(n):
            f.write(
                f"  - rule: w.r{i % 10}\n    firm: Firm é {i}\n    as_of: 2024-06-30\n"
                f"    justification: Accepted in ticket COMP-{i} (naïve rounding)\n"
                f"    approver: J. Doe\n    expires: 2099-01-01\n"
            )
    files["waivers"] = (n, waivers)
    n = SIZES["diff"] * scale
    diff = os.path.join(work, f"diff-{n}")
    os.makedirs(diff, exist_ok=True)
    with open(os.path.join(diff, "old.xfoot"), "w") as f:
        f.write(pack(n))
    with open(os.path.join(diff, "new.xfoot"), "w") as f:
        f.write(pack(n, changed=100))
    files["diff"] = (n, diff)
    n = SIZES["malformed"] * scale
    malformed = os.path.join(work, f"malformed-{n}.yaml")
    with open(malformed, "w") as f:
        f.write("firm: Société é\nlines:\n")
        for i in range(n):
            f.write(f"  {10_000 + i}: 1O{i}\n")
    files["malformed"] = (n, malformed)
    n = SIZES["messy"] * scale
    messy = os.path.join(work, f"messy-{n}.xfoot")
    with open(messy, "w") as f:
        for i in range(n):
            f.write(f"rule m.r{i}   \"Rule {i}\"\n   {10_000 + i % 80_000}={10_001 + i % 80_000}+   7060\n")
    files["messy"] = (n, messy)
    return files


def commands(binary, files, work):
    (nw, waivers), (nd, diff), (nm, malformed), (nf, messy) = (
        files["waivers"], files["diff"], files["malformed"], files["messy"])
    small, report = os.path.join(work, "small.xfoot"), os.path.join(work, "report.yaml")
    old, new = os.path.join(diff, "old.xfoot"), os.path.join(diff, "new.xfoot")
    return [
        (f"check with {nw:,} waivers", [binary, "check", "--today", "2024-07-01",
                                          "--waivers", waivers, small, report]),
        (f"diff of {nd:,} rules, 1% changed", [binary, "diff", old, new]),
        (f"diff of {nd:,} rules against itself", [binary, "diff", old, old]),
        (f"check a report of {nm:,} malformed amounts (non-ASCII)", [binary, "check", small, malformed]),
        (f"fmt --check of {nf:,} rules off layout", [binary, "fmt", "--check", messy]),
    ]


def peers(files):
    (nw, waivers), (nd, diff), (nm, malformed), _ = (
        files["waivers"], files["diff"], files["malformed"], files["messy"])
    load = "import sys, yaml; yaml.safe_load(open(sys.argv[1], encoding='utf-8'))"
    return [
        (f"check with {nw:,} waivers", [sys.executable, "-c", load, waivers]),
        (f"diff of {nd:,} rules, 1% changed",
         ["diff", "-u", os.path.join(diff, "old.xfoot"), os.path.join(diff, "new.xfoot")]),
        (f"check a report of {nm:,} malformed amounts (non-ASCII)", [sys.executable, "-c", load, malformed]),
    ]


def timed(command, runs, limit):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  timeout=limit)
        except subprocess.TimeoutExpired:
            return f"> {limit} s", None
        times.append(time.perf_counter() - start)
    return f"{statistics.median(times):.2f}", done.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", action="append", required=True, help="NAME=PATH")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--work", default="target/bench/linear")
    args = parser.parse_args()
    files = generate(args.work, args.scale)
    rows = {}
    for spec in args.binary:
        name, path = spec.split("=", 1)
        for case, command in commands(path, files, args.work):
            rows.setdefault(case, []).append((name, *timed(command, args.runs, args.timeout)))
    for case, command in peers(files):
        rows.setdefault(case, []).append((os.path.basename(command[0]) if command[0] == "diff"
                                          else "python yaml.safe_load",
                                          *timed(command, args.runs, args.timeout)))
    print(f"| case | program | median wall s ({args.runs} runs) | exit |")
    print("|---|---|--:|--:|")
    for case, found in rows.items():
        for name, seconds, code in found:
            print(f"| {case} | {name} | {seconds} | {'' if code is None else code} |")


if __name__ == "__main__":
    main()
