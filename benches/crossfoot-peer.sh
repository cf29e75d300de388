#!/usr/bin/env bash
# crossfoot as a peer of ../shared/peers/bench.py: translate the case's rules.txt into a
# crossfoot pack (one `rule` header per line; the peers' formulas are crossfoot syntax),
# check the case's wide CSV, and print the RESULT line bench.py reads.
# Usage: crossfoot-peer.sh CROSSFOOT DATA_DIR [FORMAT [RESULTS [OUTPUT]]]
#   FORMAT other than human: that output is written to OUTPUT (default /dev/null, so the
#   time is crossfoot's and not the disk's) with --output, and the human summary, whose
#   last line gives the counts, still goes to stdout: each format's row pays for both.
set -euo pipefail
crossfoot=$1 data=$2 format=${3:-human} results=${4:-all} output=${5:-/dev/null}
pack="$data/rules.xfoot"
if [ ! -s "$pack" ]; then
  # A bare integer of 6 or more digits is a line code only when a page declares it (FOCUS
  # codes have 3 to 5), so a pack with such codes (the large synthetic ones) declares them.
  awk '/^[0-9]/ {
    rules[++n] = $0
    line = $0
    gsub(/[0-9.]+%/, "", line)
    split(line, words, /[^0-9]+/)
    for (i in words) if (words[i] != "") codes[words[i]] = 1
    for (i in words) if (length(words[i]) >= 6) long = 1
  }
  END {
    if (long) {
      print "page peer \"Every line the rules read\""
      for (code in codes) printf "  %s \"line %s\"\n", code, code
      print ""
    }
    for (i = 1; i <= n; i++) printf "rule peer.r%05d\n  %s\n\n", i, rules[i]
  }' "$data/rules.txt" > "$pack"
fi
args=(check --color never)
if [ "$format" != human ]; then
  args+=(--format "$format" --results "$results" --output "$output")
fi
summary=$("$crossfoot" "${args[@]}" "$pack" "$data/reports.csv" | tail -n 1) || true
# "100000 reports: 99000 ok, 1000 failed (1855 rule failures)"
echo "$summary"
# CROSSFOOT_LABEL names another build in the table (compare.sh's BEFORE=).
label=${CROSSFOOT_LABEL:-crossfoot}
[ "$format" = human ] || label="$label --format $format --results $results"
echo "$summary" | awk -v label="$label" '{
  gsub(/[(),:]/, " ");
  for (i = 1; i <= NF; i++) {
    if ($(i+1) == "failed") f = $i
    if ($(i+1) == "rule" && $(i+2) ~ /^failure/) v = $i
  }
  printf "RESULT {\"peer\": \"%s\", \"failing_reports\": %d, \"violations\": %d}\n", label, f, v
}'
