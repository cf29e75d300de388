#!/usr/bin/env python3
"""Run many queries from `crossfoot sql --dialect spark` in one local Spark session (ANSI
on), each over its own wide CSV file read as text: what `tests/crossing.rs` needs to run
every crossed pack without starting a JVM per pack.

usage: run_many.py LIST
  LIST: a file of lines `QUERY.sql<TAB>REPORTS.csv<TAB>OUT.jsonl`
For each line, writes every result row to OUT.jsonl as a JSON array of strings (null for
NULL), or, when the query stops, the error to OUT.jsonl.error.
"""
import json
import os
import sys


def main():
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("crossfoot-crossing")
             .config("spark.sql.ansi.enabled", "true")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
    with open(sys.argv[1], encoding="utf-8") as jobs:
        for job in jobs:
            query_path, csv_path, out_path = job.rstrip("\n").split("\t")
            query = open(query_path, encoding="utf-8").read()
            spark.read.option("header", True).csv(csv_path).createOrReplaceTempView("reports")
            try:
                rows = spark.sql(query).collect()
            except Exception as error:  # noqa: BLE001 - any error stops the query
                with open(out_path + ".error", "w", encoding="utf-8") as fh:
                    fh.write(str(error)[:4000])
                continue
            with open(out_path, "w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps([None if v is None else str(v) for v in row]) + "\n")
    spark.stop()


if __name__ == "__main__":
    main()
