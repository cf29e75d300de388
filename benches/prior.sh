#!/usr/bin/env bash
# Previous reports at scale: the same wide reports (about 100 lines each, with a firm and a
# date) checked by the benchmark's 29 rules, and by the same rules plus two that read
# `prior(…)`. Memory should grow with what `prior(…)` reads, not with the run, and time
# stay within 1.5× of the run without `prior(…)`. Uses the data `benches/compare.sh`
# makes with ../shared/peers/gen_reports.py (generated here when missing).
#
#   benches/prior.sh                      # 200,000 and 1,000,000 reports
#   SIZES=200000 RUNS=5 benches/prior.sh
#   BEFORE=/tmp/old/crossfoot benches/prior.sh   # another build beside this one
#
# Prints a Markdown table: the fastest of RUNS runs (wall time), and the most memory
# (peak resident set) any of them took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-$root/../shared/peers}
work=${BENCH_DIR:-$root/target/bench}
sizes=${SIZES-200000,1000000}
runs=${RUNS:-3}
data=$work/data/cftc-100000
prior=$work/prior

(cd "$root" && cargo build --quiet --release --bin crossfoot)
if [ ! -f "$data/reports.csv" ]; then
  mkdir -p "$work/data"
  python3 "$peers/gen_reports.py" --n 100000 --out "$data" --formats csv >/dev/null
fi
mkdir -p "$prior"
# crossfoot-peer.sh writes the peers' rules as a crossfoot pack beside the data.
[ -s "$data/rules.xfoot" ] ||
  bash "$root/benches/crossfoot-peer.sh" "$root/target/release/crossfoot" "$data" >/dev/null || true
cp "$data/rules.xfoot" "$prior/base.xfoot"
cp "$prior/base.xfoot" "$prior/prior.xfoot"
cat >> "$prior/prior.xfoot" <<'RULES'

rule prior.excess
  7190 >= prior(7190) - $5000000000

rule prior.net_capital
  7455 <= 300% * prior(7455) + $1000000
RULES

# shellcheck source=measure.sh
source "$root/benches/measure.sh"

echo "| reports | build | rules | wall s | peak RSS MB |"
echo "|---|---|---|---|---|"
for n in ${sizes//,/ }; do
  csv=$prior/reports-$n.csv
  [ -f "$csv" ] || python3 "$root/benches/prior_data.py" "$data/reports.csv" "$n" 1000 "$csv"
  for build in crossfoot ${BEFORE:+before}; do
    bin=$root/target/release/crossfoot
    [ "$build" = before ] && bin=$BEFORE
    for rules in base prior; do
      read -r wall mb < <(measure "$runs" "$bin" check "$prior/$rules.xfoot" "$csv")
      label=$([ "$rules" = base ] && echo "29 rules" || echo "29 rules + 2 reading prior()")
      echo "| $n | $build | $label | $wall | $mb |"
    done
  done
done
