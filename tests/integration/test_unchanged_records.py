"""A month's unchanged records are copied from the month before, not computed again.

A record whose landed text (its content hash in `raw.record_index`) equals that of a record staged
from an earlier snapshot of the same year gets that record's staged values and its own lineage.
To see which rows were copied, the first month's staged names are marked after it is built: the
next month's unchanged records carry the mark, its new and edited records do not, and in the
month of a new year (two-digit years pivot on the snapshot's year) nothing is copied.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.transform.phases import run_transform

pytestmark = pytest.mark.slow  # builds the dbt project three times

MARK = "COPIED "
STAGING = "main_staging.stg_source_1__facilities"


def deliver(source: Path, bucket: Path, day: str) -> None:
    for path in source.rglob(f"*_{day}.csv"):
        target = bucket / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def build(settings: Settings) -> None:
    execute(settings, "leads ingest", do_ingest=True, do_transform=False)
    run_transform(settings, with_tests=False)


def staged_by_hash(con: duckdb.DuckDBPyConnection, snapshot: str) -> list[tuple[str, bool]]:
    """(content hash, whether the staged name carries the mark) of each staged row of a snapshot."""
    return con.execute(
        f"SELECT entry.row_hash, starts_with(coalesce(staged.company, ''), '{MARK}') "
        f"FROM {STAGING} AS staged INNER JOIN raw.record_index AS entry "
        "ON entry.source = staged.source AND entry.load_id = staged.load_id "
        "AND entry.record_number = staged.record_number "
        "WHERE staged.snapshot_date = CAST(? AS DATE)",
        [snapshot],
    ).fetchall()


def test_unchanged_records_are_copied_within_a_year_and_computed_across_years(tmp_path):
    source = tmp_path / "months"
    summary = generate_bucket(source, rows=200, months=3, seed=5, start=date(2024, 11, 1), truth=False)
    november, december, january = (day.strftime("%Y%m%d") for day in summary.snapshots)
    bucket = tmp_path / "bucket"
    settings = Settings.load(bucket_url=str(bucket), database=tmp_path / "leads.duckdb", target="duckdb")

    deliver(source, bucket, november)
    build(settings)
    with duckdb.connect(str(settings.database)) as con:
        con.execute(f"UPDATE {STAGING} SET company = '{MARK}' || coalesce(company, '')")
        november_hashes = {row_hash for row_hash, _ in staged_by_hash(con, "2024-11-01")}

    deliver(source, bucket, december)
    build(settings)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        december_rows = staged_by_hash(con, "2024-12-01")
        raw_rows = con.execute(
            "SELECT count(*) FROM raw.source_1_raw WHERE _snapshot_date = DATE '2024-12-01'"
        ).fetchone()[0]
    copied = [marked for row_hash, marked in december_rows if row_hash in november_hashes]
    computed = [marked for row_hash, marked in december_rows if row_hash not in november_hashes]
    assert copied and computed, "the generated December keeps most records and changes some"
    assert all(copied), "an unchanged record is copied from November's staged row"
    assert not any(computed), "a new or edited record is computed from its raw row"
    assert len(december_rows) == raw_rows, "one staged row per raw row"

    deliver(source, bucket, january)
    build(settings)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        january_rows = staged_by_hash(con, "2025-01-01")
    assert january_rows and not any(marked for _, marked in january_rows), "a new year computes every record"
