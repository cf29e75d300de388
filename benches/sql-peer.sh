#!/usr/bin/env bash
# The query `crossfoot sql` writes, run on DuckDB, as a peer of ../shared/peers/bench.py:
# the case's wide CSV read as text (the query reads every amount exactly, refusing what it
# cannot), the query's rows counted, and the RESULT line bench.py reads printed.
# Usage: sql-peer.sh CROSSFOOT DATA_DIR PYTHON
set -euo pipefail
crossfoot=$1 data=$2 python=$3
here=$(cd "$(dirname "$0")" && pwd)
# The pack crossfoot-peer.sh writes from the case's rules (made once per case).
[ -s "$data/rules.xfoot" ] || bash "$here/crossfoot-peer.sh" "$crossfoot" "$data" >/dev/null
query=$(mktemp)
trap 'rm -f "$query"' EXIT
"$crossfoot" sql "$data/rules.xfoot" > "$query"
"$python" - "$query" "$data/reports.csv" <<'PY'
import sys
import duckdb
query, path = open(sys.argv[1]).read(), sys.argv[2].replace("'", "''")
con = duckdb.connect()
con.execute(f"CREATE VIEW reports AS SELECT * FROM read_csv('{path}', header = true, all_varchar = true)")
violations, failing = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT report_id) FROM ({query})").fetchone()
print(f'RESULT {{"peer": "crossfoot sql (duckdb)", "failing_reports": {failing}, "violations": {violations}}}')
PY
