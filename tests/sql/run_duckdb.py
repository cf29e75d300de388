#!/usr/bin/env python3
"""Run a query from `crossfoot sql` on DuckDB over a wide CSV file read as text.

usage: run_duckdb.py QUERY.sql REPORTS.csv [--decimal P,S | --type TYPE] [--time]
  --decimal P,S: read the line columns as DECIMAL(P,S) (for `crossfoot sql --input decimal`)
  --type TYPE: read the line columns as TYPE (DOUBLE, BIGINT, ...)
Prints each result row as a JSON array on stdout (or, with --time, the seconds it took
and the number of rows, on stderr).
"""
import json
import sys
import time

import duckdb


def main():
    query_path, csv_path = sys.argv[1], sys.argv[2]
    timed = "--time" in sys.argv
    query = open(query_path, encoding="utf-8").read()
    con = duckdb.connect()
    path = csv_path.replace("'", "''")
    typed = None
    if "--decimal" in sys.argv:
        typed = f"DECIMAL({sys.argv[sys.argv.index('--decimal') + 1]})"
    if "--type" in sys.argv:
        typed = sys.argv[sys.argv.index("--type") + 1]
    if typed:
        with open(csv_path, encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
        types = ", ".join(
            f"'{c}': '{'VARCHAR' if c in ('report_id', 'as_of', 'unit', 'line') else typed}'"
            for c in header
        )
        con.execute(
            f"CREATE VIEW reports AS SELECT * FROM read_csv('{path}', header = true, columns = {{{types}}})"
        )
    else:
        con.execute(
            f"CREATE VIEW reports AS SELECT * FROM read_csv('{path}', header = true, all_varchar = true)"
        )
    start = time.perf_counter()
    rows = con.execute(query).fetchall()
    seconds = time.perf_counter() - start
    if timed:
        print(f"{seconds:.3f} {len(rows)}", file=sys.stderr)
        return
    for row in rows:
        print(json.dumps([None if v is None else str(v) for v in row]))


if __name__ == "__main__":
    main()
