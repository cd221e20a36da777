"""Reading files with broken records: the tolerant pass must grow with the file, not faster.

    uv run python benchmarks/tolerant_read.py [--rows 100000,200000,400000] [--broken-share 0.01]

For each size, writes a Texas-shaped CSV of that many records of which a share has a stray quote
(a record DuckDB cannot read at all, kept as a rejected record), and measures in this process:

    baseline   DuckDB's own `read_csv` of the file into Parquet, skipping the bad records
    reader     the pipeline's reader (`CsvFileReader`): strict pass, tolerant pass, numbering of
               the records after each lost one, Parquet spool

and prints both, their ratio, and the reader's seconds per 100,000 records: flat across sizes
when the reader is linear.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "src"))

import duckdb  # noqa: E402

from leads_pipeline.config.registry import load_registry  # noqa: E402
from leads_pipeline.stages.ingest.content import scan_file  # noqa: E402
from leads_pipeline.stages.ingest.csv_reader import CsvFileReader  # noqa: E402

HEADER = ["Operation", "Operation Name", "Address", "City", "State", "Zip", "County", "Phone", "Capacity"]


def write_file(path: Path, rows: int, broken_share: float) -> int:
    """A CSV of `rows` records; every `1 / broken_share`-th one holds a stray quote."""
    step = max(1, round(1 / broken_share)) if broken_share else 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    lines = [buffer.getvalue()]
    broken = 0
    for n in range(1, rows + 1):
        record = [
            str(1_000_000 + n),
            f"Little Sprouts {n}",
            f"{n % 9000 + 100} Main St",
            "AUSTIN",
            "TX",
            f"{78700 + n % 99}",
            "TRAVIS",
            f"(512) {200 + n % 700:03d}-{n % 10000:04d}",
            str(n % 150),
        ]
        line = ",".join(record)
        if step and n % step == 0:
            line = line.replace(",", ',"BROKEN" QUOTE,', 1)
            broken += 1
        lines.append(line + "\r\n")
    path.write_text("".join(lines), encoding="utf-8")
    return broken


def baseline(path: Path, out: Path) -> float:
    began = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM read_csv('{path}', header=true, all_varchar=true, ignore_errors=true)) "
            f"TO '{out}' (FORMAT parquet)"
        )
    return time.perf_counter() - began


def reader(path: Path, work: Path) -> tuple[float, int, int]:
    spec = load_registry(PROJECT_DIR / "sources.yml")["source_3"]
    began = time.perf_counter()
    read = CsvFileReader(path, spec, work, {"_file_name": path.name}, scan_file(path)).read()
    return time.perf_counter() - began, read.records, len(read.rejected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="100000,200000,400000")
    parser.add_argument("--broken-share", type=float, default=0.01)
    args = parser.parse_args()
    sizes = [int(size) for size in args.rows.split(",")]
    print(f"{'records':>9} {'broken':>7} {'baseline s':>11} {'reader s':>9} {'ratio':>6} {'reader s/100k':>14}")
    with tempfile.TemporaryDirectory(prefix="leads-tolerant-") as folder:
        work = Path(folder)
        for rows in sizes:
            path = work / f"tolerant_{rows}.csv"
            broken = write_file(path, rows, args.broken_share)
            base = baseline(path, work / "baseline.parquet")
            seconds, records, rejected = reader(path, work)
            assert records + rejected == rows, (records, rejected, rows)
            print(
                f"{rows:>9,} {broken:>7,} {base:>11.2f} {seconds:>9.2f} {seconds / base:>6.1f} "
                f"{seconds / rows * 100_000:>14.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
