"""Reports with firms and dates for the previous-report benchmark (benches/prior.sh).

Takes the wide CSV `gen_reports.py` writes (report_id, then one column per line code) and
writes N reports: FIRMS firms, each reporting once a month from January 1990, the
generator's rows reused in turn, so every report but each firm's first has a previous
report. Usage: prior_data.py SOURCE.csv N FIRMS OUT.csv
"""

import calendar
import sys


def main() -> None:
    source, n, firms, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(source) as f:
        header, *rows = f.read().splitlines()
    codes = header.split(",", 1)[1]
    with open(out, "w") as f:
        f.write(f"report_id,firm,as_of,{codes}\n")
        for i in range(n):
            month, firm = divmod(i, firms)
            year, month = 1990 + month // 12, month % 12 + 1
            day = calendar.monthrange(year, month)[1]
            amounts = rows[i % len(rows)].split(",", 1)[1]
            f.write(f"P{i:07d},F{firm:04d},{year:04d}-{month:02d}-{day:02d},{amounts}\n")


if __name__ == "__main__":
    main()
