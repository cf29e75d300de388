#!/usr/bin/env bash
# crossfoot as a peer of ../shared/peers/bench.py: translate the case's rules.txt into a
# crossfoot pack (one `rule` header per line; the peers' formulas are crossfoot syntax),
# check the case's wide CSV, and print the RESULT line bench.py reads.
# Usage: crossfoot-peer.sh CROSSFOOT DATA_DIR
set -euo pipefail
crossfoot=$1 data=$2
pack="$data/rules.xfoot"
if [ ! -s "$pack" ]; then
  awk '/^[0-9]/ { n++; printf "rule peer.r%05d\n  %s\n\n", n, $0 }' "$data/rules.txt" > "$pack"
fi
summary=$("$crossfoot" check --color never "$pack" "$data/reports.csv" | tail -n 1) || true
# "100000 reports: 99000 ok, 1000 failed (1855 failing rules)"
echo "$summary"
echo "$summary" | awk '{
  gsub(/[(),:]/, " ");
  for (i = 1; i <= NF; i++) { if ($(i+1) == "failed") f = $i; if ($(i+1) == "failing") v = $i }
  printf "RESULT {\"peer\": \"crossfoot\", \"failing_reports\": %d, \"violations\": %d}\n", f, v
}'
