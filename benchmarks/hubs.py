"""A degenerate export: every phone, address, name and email repeated across the whole file.

    uv run python benchmarks/hubs.py [--records 100000] [--work-dir DIR]

Writes a Texas-format file of `records` records that repeat the 29 real Texas records (each copy
with its own operation number), so each phone and address is shared by thousands of records: the
hubs that would make all-pairs blocking quadratic. Then measures, each in its own process:

    baseline   DuckDB's own `read_csv` of the file (benchmarks/baseline.py)
    run        `leads run` on a bucket holding only that file, into a fresh database

and prints both, their ratio, the run's peak memory (the whole process tree), the candidate pairs
it made and the hubs it reported. Needs the real samples at ../shared/data/real.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

import duckdb  # noqa: E402

from benchmarks.measure import run_measured  # noqa: E402

TEXAS = PROJECT_DIR.parent / "shared" / "data" / "real" / "technical_exercise" / "source_3" / "source_3_20241101.csv"
GB = 1 << 30


def write_bucket(bucket: Path, records: int) -> Path:
    with TEXAS.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    key = header.index("Operation")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for n in range(records):
        row = list(rows[n % len(rows)])
        row[key] = f"{row[key]}-{n // len(rows)}"
        writer.writerow(row)
    target = bucket / "technical_exercise" / "source_3" / TEXAS.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args()
    if not TEXAS.exists():
        raise SystemExit(f"the real Texas sample is not at {TEXAS}: check out ../shared beside the project")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="leads-hubs-"))
    shutil.rmtree(work / "bucket", ignore_errors=True)
    csv_file = write_bucket(work / "bucket", args.records)
    database = work / "leads.duckdb"
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(work / ".leads", ignore_errors=True)
    env = {**os.environ, "LEADS_BUCKET_URL": str(work / "bucket"), "LEADS_DATABASE": str(database)}
    baseline = run_measured(
        [sys.executable, str(PROJECT_DIR / "benchmarks" / "baseline.py"), str(work / "baseline.duckdb"), str(csv_file)],
        env=env,
    )
    run = run_measured([sys.executable, "-m", "leads_pipeline.cli", "run"], env=env, cwd=PROJECT_DIR)
    with duckdb.connect(str(database), read_only=True) as con:
        pairs = con.execute("SELECT count(*) FROM main_intermediate.int_record_pairs__blocked").fetchone()[0]
        hubs = con.execute("SELECT count(*), max(records) FROM main_intermediate.int_match_keys__hubs").fetchone()
        leads = con.execute("SELECT count(*) FROM main_gold.leads").fetchone()[0]
    mb = csv_file.stat().st_size / 1e6
    print(f"{args.records:,} records ({mb:.1f} MB), each phone and address repeated across the file")
    print(f"  baseline: DuckDB read_csv   {baseline.seconds:8.1f} s  peak {baseline.peak_rss_bytes / GB:.2f} GB")
    print(
        f"  leads run (exit {run.returncode})        {run.seconds:8.1f} s  peak {run.peak_rss_bytes / GB:.2f} GB  "
        f"{run.seconds / baseline.seconds:.1f}x the baseline"
    )
    print(f"  candidate pairs {pairs:,}; hubs reported {hubs[0]} (the largest {hubs[1]:,} records); leads {leads:,}")
    if run.returncode not in (0, 6):
        print(run.output[-3000:])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
