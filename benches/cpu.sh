#!/usr/bin/env bash
# CPU time (task clock) of `check` on the benchmark's 100,000 wide reports, this build and
# others in turn, so a noisy machine slows each alike: the fastest and median of ROUNDS
# rounds, and the median number of context switches. Needs `perf` and the data
# `benches/compare.sh` makes.
#
#   benches/cpu.sh /tmp/crossfoot-070a216            # this build beside another
#   ROUNDS=14 DATA=target/bench/data/cftc-100000 benches/cpu.sh OLD...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${DATA:-$root/target/bench/data/cftc-100000}
rounds=${ROUNDS:-12}
(cd "$root" && cargo build --quiet --release --bin crossfoot)
builds=("$root/target/release/crossfoot" "$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for _ in $(seq "$rounds"); do
  for i in "${!builds[@]}"; do
    perf stat -x, -e task-clock,context-switches -o "$work/stat" \
      "${builds[$i]}" check "$data/rules.xfoot" "$data/reports.csv" >/dev/null || true
    echo "$(grep task-clock "$work/stat" | cut -d, -f1) $(grep context-switches "$work/stat" | cut -d, -f1)" >>"$work/$i"
  done
done
echo "| build | CPU ms, fastest | CPU ms, median | context switches, median |"
echo "|---|---|---|---|"
for i in "${!builds[@]}"; do
  cpu=$(cut -d' ' -f1 "$work/$i" | sort -n)
  switches=$(cut -d' ' -f2 "$work/$i" | sort -n)
  n=$(wc -l <"$work/$i")
  mid=$(((n + 1) / 2))
  printf '| %s | %.0f | %.0f | %s |\n' "${builds[$i]}" "$(sed -n 1p <<<"$cpu")" \
    "$(sed -n "${mid}p" <<<"$cpu")" "$(sed -n "${mid}p" <<<"$switches")"
done
