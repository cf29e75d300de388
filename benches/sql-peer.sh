#!/usr/bin/env bash
# The query `crossfoot sql` writes, run on DuckDB, as a peer of ../shared/peers/bench.py: the
# query's rows counted, and the RESULT line bench.py reads printed. INPUT says how the case's
# wide CSV reaches the query:
#   text     (default) every column read as text: the query reads each amount exactly and
#            stops on one it cannot hold (what `crossfoot sql` is for on files);
#   decimal  DuckDB's CSV reader types the amounts, DECIMAL(15,2), as the hand-written peer
#            reads them DECIMAL(18,2), and the query is compiled with `--input decimal`:
#            the same data the hand-written query gets (the reader rounds a third decimal
#            silently; the benchmark's amounts have none).
# Usage: sql-peer.sh CROSSFOOT DATA_DIR PYTHON [text|decimal]
set -euo pipefail
crossfoot=$1 data=$2 python=$3 input=${4:-text}
here=$(cd "$(dirname "$0")" && pwd)
# The pack crossfoot-peer.sh writes from the case's rules (made once per case).
[ -s "$data/rules.xfoot" ] || bash "$here/crossfoot-peer.sh" "$crossfoot" "$data" >/dev/null
query=$(mktemp)
trap 'rm -f "$query"' EXIT
"$crossfoot" sql --input "$input" "$data/rules.xfoot" > "$query"
"$python" - "$query" "$data/reports.csv" "$input" <<'PY'
import sys
import duckdb
query, path, kind = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
quoted = path.replace("'", "''")
if kind == "decimal":
    with open(path, encoding="utf-8") as fh:
        codes = fh.readline().strip().split(",")[1:]
    types = ", ".join(f"'{code}': 'DECIMAL(15,2)'" for code in codes)
    reader = f"columns = {{'report_id': 'VARCHAR', {types}}}"
else:
    reader = "all_varchar = true"
con = duckdb.connect()
con.execute(f"CREATE VIEW reports AS SELECT * FROM read_csv('{quoted}', header = true, {reader})")
violations, failing = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT report_id) FROM ({query})").fetchone()
print(f'RESULT {{"peer": "crossfoot sql (duckdb, {kind})", "failing_reports": {failing}, "violations": {violations}}}')
PY
