#!/usr/bin/env bash
# crossfoot against the tools its users would otherwise pick, all in one run: the Python
# `decimal` peer, hand-written SQL on DuckDB (exact DECIMAL(18,2)), vtlengine (DuckDB
# engine), pandas, and a hand-written Rust baseline (a plain loop with rust_decimal over the
# same CSV). Uses ../shared/peers: its generators
# make the data, its bench.py times every tool the same way (median wall time of --runs,
# peak RSS) and checks every tool reports the failure counts the generator expects. The
# query `crossfoot sql` writes runs on DuckDB beside the hand-written one, over the CSV read
# as text and over the CSV typed by DuckDB's reader as the hand-written peer reads it (SQL=
# to leave both out).
#
#   benches/compare.sh                       # 1, 1,000, 100,000 and 1,000,000 reports
#   SIZES=1000,100000 RUNS=5 benches/compare.sh
#   SIZES=100000 PEERS= LARGE= benches/compare.sh   # crossfoot's outputs only
#   BEFORE=/tmp/old/target/release/crossfoot SIZES=100000 PEERS=decimal FORMATS= SQL= \
#     LARGE= benches/compare.sh                      # another build of crossfoot beside this one
#
# Writes target/bench/results.md (the table) and target/bench/results.json (every run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-$root/../shared/peers}
work=${BENCH_DIR:-$root/target/bench}
sizes=${SIZES-1,1000,100000,1000000}
runs=${RUNS:-3}
large=${LARGE-10000:1:decimal+pandas+crossfoot,100000:1:decimal+crossfoot}

mkdir -p "$work"
cp "$peers"/*.py "$peers"/*.txt "$work"/
if [ ! -x "$work/.venv/bin/python" ]; then
  python3 -m venv "$work/.venv"
  "$work/.venv/bin/pip" install --quiet -r "$work/requirements.txt"
fi
(cd "$root" && cargo build --quiet --release --bin crossfoot --example baseline_cftc)

# Every output of `check` on the same data (FORMATS= to leave them out): the human summary
# is the `crossfoot` row; each of these writes its format to /dev/null with --output and
# prints the summary too, so it pays for both.
formats=${FORMATS-json:all,jsonl:failing,jsonl:all,sarif:all,junit:all,github:all,csv:all}
format_peers=()
for spec in ${formats//,/ }; do
  format=${spec%%:*} results=${spec##*:}
  format_peers+=(--peer "crossfoot-$format-$results=bash $root/benches/crossfoot-peer.sh $root/target/release/crossfoot {data} $format $results")
done

"$work/.venv/bin/python" "$work/bench.py" \
  --data-root "$work/data" --sizes "$sizes" --runs "$runs" --formats csv \
  --peers "${PEERS-decimal,pandas,vtl-duckdb,duckdb}" \
  --peer "crossfoot=bash $root/benches/crossfoot-peer.sh $root/target/release/crossfoot {data}" \
  ${BEFORE:+--peer} ${BEFORE:+"crossfoot-before=env CROSSFOOT_LABEL=crossfoot-before bash $root/benches/crossfoot-peer.sh $BEFORE {data}"} \
  "${format_peers[@]}" \
  --peer "rust-baseline=$root/target/release/examples/baseline_cftc {data}/reports.csv" \
  ${SQL-'--peer'} ${SQL-"crossfoot-sql-duckdb=bash $root/benches/sql-peer.sh $root/target/release/crossfoot {data} $work/.venv/bin/python text"} \
  ${SQL-'--peer'} ${SQL-"crossfoot-sql-duckdb-typed=bash $root/benches/sql-peer.sh $root/target/release/crossfoot {data} $work/.venv/bin/python decimal"} \
  --large "$large" \
  --json "$work/results.json" | tee "$work/results.md"
