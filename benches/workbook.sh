#!/usr/bin/env bash
# Workbooks against CSV: the benchmark's wide reports (about 100 lines each) checked by its
# 29 rules from the CSV file and from the same figures as a workbook (written by the
# `csv_to_xlsx` example: amounts as number cells, as a spreadsheet holds them), with the
# same failures. Uses the data `benches/compare.sh` makes with ../shared/peers (generated
# here when missing).
#
#   benches/workbook.sh                        # 100,000 reports
#   SIZES=1000,100000 RUNS=5 benches/workbook.sh
#   BEFORE=/tmp/old/crossfoot benches/workbook.sh   # another build beside this one
#
# Prints a Markdown table: the fastest of RUNS runs (wall time), the most memory (peak
# resident set) any of them took, and the summary line, which must match between forms.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-$root/../shared/peers}
work=${BENCH_DIR:-$root/target/bench}
sizes=${SIZES-100000}
runs=${RUNS:-3}

(cd "$root" && cargo build --quiet --release --bin crossfoot --example csv_to_xlsx)
# shellcheck source=measure.sh
source "$root/benches/measure.sh"

echo "| reports | build | input | MB on disk | wall s | peak RSS MB | summary |"
echo "|---|---|---|---|---|---|---|"
for n in ${sizes//,/ }; do
  data=$work/data/cftc-$n
  if [ ! -f "$data/reports.csv" ]; then
    mkdir -p "$work/data"
    python3 "$peers/gen_reports.py" --n "$n" --out "$data" --formats csv >/dev/null
  fi
  [ -s "$data/rules.xfoot" ] ||
    bash "$root/benches/crossfoot-peer.sh" "$root/target/release/crossfoot" "$data" >/dev/null || true
  [ -f "$data/reports.xlsx" ] || "$root/target/release/examples/csv_to_xlsx" "$data/reports.csv" "$data/reports.xlsx"
  for build in crossfoot ${BEFORE:+before}; do
    bin=$root/target/release/crossfoot
    [ "$build" = before ] && bin=$BEFORE
    for input in reports.csv reports.xlsx; do
      read -r wall mb < <(measure "$runs" "$bin" check "$data/rules.xfoot" "$data/$input")
      summary=$({ "$bin" check "$data/rules.xfoot" "$data/$input" || true; } | tail -1)
      size=$(awk -v bytes="$(stat -c %s "$data/$input")" 'BEGIN { printf "%.1f", bytes / 1e6 }')
      echo "| $n | $build | ${input#reports.} | $size | $wall | $mb | $summary |"
    done
  done
done
