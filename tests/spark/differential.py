#!/usr/bin/env python3
"""The Spark half of the proof that `crossfoot sql` is exact: generated reports are checked
by `crossfoot check --format csv` and by the generated Spark query on a local PySpark
session (ANSI mode on, CSV read as text), and the two violation tables must be identical
(same reports, rules, severities, the same exact amounts and messages); so must the query's
tables for the same reports in DECIMAL(18,2) columns (`--input decimal`) and in the long
layout. Then every amount the type cannot hold must stop the query.

usage: python differential.py CROSSFOOT RULES [REPORTS] [SEED]
  (pip install pyspark; Java 17 from Debian's openjdk-17-jre-headless)
Prints the counts and exits 1 on any difference.
"""
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal


# Each report's unit, as a CSV may spell it (blank is dollars): the query reads the `unit`
# column wherever a rule's verdict depends on it, as `check` does.
UNITS = ("", "", "dollars", "thousands", "1000", "Millions", "billions")


def amount(rng):
    kind = rng.randrange(10)
    if kind == 0:
        return ""
    if kind <= 4:
        return format(Decimal(rng.randrange(-20, 21) * 5).scaleb(-1).normalize(), "f")
    if kind <= 6:
        return format(Decimal(rng.randrange(-1000, 1001)).scaleb(-2), "f")
    if kind == 7:
        return str((9_999_999_999_999 - rng.randrange(1000)) * rng.choice((1, -1)))
    return format(Decimal(rng.randrange(-10**14, 10**14)).scaleb(-2), "f")


def lines_of(query):
    seen = []
    for code in re.findall(r" AS l(\d+)", query):
        if code not in seen:
            seen.append(code)
    return seen


def number(text):
    text = (text or "").strip()
    return Decimal(text).normalize() if text else None


def main():
    crossfoot, rules = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    query = subprocess.run([crossfoot, "sql", "--dialect", "spark", rules],
                           check=True, capture_output=True, text=True).stdout
    lines = lines_of(query)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="crossfoot-spark-")
    path = os.path.join(work, "reports.csv")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("report_id,as_of,unit," + ",".join(lines) + "\n")
        for n in range(count):
            as_of = rng.choice(("2023-12-31", "2024-01-01", "2024-06-30", ""))
            unit = rng.choice(UNITS)
            fh.write(f"R{n:05},{as_of},{unit}," + ",".join(amount(rng) for _ in lines) + "\n")
    check = subprocess.run([crossfoot, "check", "--format", "csv", rules, path],
                           capture_output=True, text=True)
    if check.returncode == 2:
        sys.exit(f"check could not run: {check.stderr}")
    expected = set()
    for row in csv.DictReader(check.stdout.splitlines()):
        expected.add((row["id"], row["rule"], row["severity"], row["status"],
                      number(row["left"]), number(row["right"]),
                      number(row["difference"]), number(row["tolerance"]), row["message"]))

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("crossfoot-differential")
             .config("spark.sql.ansi.enabled", "true")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "6g"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
    spark.read.option("header", True).csv(path).createOrReplaceTempView("reports")
    start = time.perf_counter()
    rows = spark.sql(query).collect()
    seconds = time.perf_counter() - start
    actual = {(r[0], r[1], r[2], r[3], number(r[4]), number(r[5]), number(r[6]), number(r[7]),
               r[9]) for r in rows}
    # The same reports in number columns (`--input decimal`): DECIMAL(18,2), cast down to
    # the query's DECIMAL(15,2) by Spark's checked cast.
    decimal_query = subprocess.run([crossfoot, "sql", "--dialect", "spark", "--input", "decimal",
                                    rules], check=True, capture_output=True, text=True).stdout
    schema = "report_id STRING, as_of STRING, unit STRING, " + ", ".join(f"`{code}` DECIMAL(18,2)"
                                                             for code in lines)
    spark.read.option("header", True).schema(schema).csv(path).createOrReplaceTempView("reports")
    typed = {(r[0], r[1], r[2], r[3], number(r[4]), number(r[5]), number(r[6]), number(r[7]),
              r[9]) for r in spark.sql(decimal_query).collect()}
    # The same reports in the long layout (`report_id, as_of, unit, line, amount`), pivoted
    # in the query.
    long_query = subprocess.run([crossfoot, "sql", "--dialect", "spark", "--layout", "long",
                                 rules], check=True, capture_output=True, text=True).stdout
    long_path = os.path.join(work, "long.csv")
    with open(path, encoding="utf-8") as wide, open(long_path, "w", encoding="utf-8") as fh:
        rows = csv.reader(wide)
        header = next(rows)
        fh.write("report_id,as_of,unit,line,amount\n")
        for row in rows:
            for code, value in zip(header[3:], row[3:]):
                if value:
                    fh.write(f"{row[0]},{row[1]},{row[2]},{code},{value}\n")
    spark.read.option("header", True).csv(long_path).createOrReplaceTempView("reports")
    pivoted = {(r[0], r[1], r[2], r[3], number(r[4]), number(r[5]), number(r[6]), number(r[7]),
                r[9]) for r in spark.sql(long_query).collect()}
    refused = refusals(spark, query, lines, work)
    spark.stop()
    shutil.rmtree(work, ignore_errors=True)
    print(f"{rules}: {count} reports, {len(expected)} failing rules from check, "
          f"{len(actual)} rows from Spark {spark.version if hasattr(spark, 'version') else ''} "
          f"in {seconds:.1f} s")
    only_check = sorted(expected - actual, key=str)[:5]
    only_spark = sorted(actual - expected, key=str)[:5]
    if only_check or only_spark:
        print("only in check:", only_check)
        print("only in Spark:", only_spark)
        sys.exit(1)
    if typed != actual:
        print("--input decimal over DECIMAL(18,2) columns differs:",
              sorted(typed ^ actual, key=str)[:5])
        sys.exit(1)
    if pivoted != actual:
        print("the long layout differs:", sorted(pivoted ^ actual, key=str)[:5])
        sys.exit(1)
    print("identical")
    if refused:
        print("amounts the type cannot hold did not stop the query:", refused)
        sys.exit(1)
    print("every amount the type cannot hold stopped the query")


def refusals(spark, query, lines, work):
    """The bad amounts (more decimals than the type keeps, exponents, digit separators,
    not numbers) that did not stop the query, each tried in the first line the rules read,
    in the second of three reports."""
    missed = []
    for bad in ("1.005", "1.0000001", "1e-5", "1E5", "5_0", "12abc"):
        path = os.path.join(work, "bad.csv")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("report_id,as_of,unit," + ",".join(lines) + "\n")
            for n, first in enumerate(("1", bad, "2")):
                fh.write(f"B{n},2024-06-30,,{first}" + "," * (len(lines) - 1) + "\n")
            # The same amount in the last line, with the report's other lines blank.
            fh.write("B3,2024-06-30," + "," * len(lines) + bad + "\n")
        spark.read.option("header", True).csv(path).createOrReplaceTempView("reports")
        try:
            spark.sql(query).collect()
            missed.append(bad)
        except Exception as error:  # noqa: BLE001 - any error stops the query
            said = str(error)
            if f"line {lines[0]}: {bad}" not in said and "CAST" not in said.upper():
                missed.append(f"{bad} ({said[:200]})")
    return missed


if __name__ == "__main__":
    main()
