"""Staging computes a large load a batch of raw rows at a time, with the same rows as in one go.

Two databases take the same three months, one with batches of a few dozen raw rows (each staging
model then runs several statements per month, in its first build and in its incremental ones) and
one with a batch larger than any load; after each month their staging tables and marts are equal.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.settings import Env, Settings
from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.transform.phases import run_transform
from tests.integration.identity.conftest import copy_snapshots

pytestmark = pytest.mark.slow  # builds the dbt project six times

SMALL_BATCH, ONE_BATCH = 37, 10**9
# Columns a run stamps with its own load or time: they differ between any two databases.
RUN_STAMPS = ("load_id", "resolved_at", "versioned_at", "compared_at", "first_loaded_at", "last_loaded_at")
# The generated CRM export does not come every month.
CRM_TABLES = ("main_staging.stg_salesforce__leads",)
COMPARED = [
    "main_staging.stg_source_1__facilities",
    "main_staging.stg_source_2__facilities",
    "main_staging.stg_source_3__facilities",
    "main_staging.stg_salesforce__leads",
    "main_gold.leads",
    "main_gold.data_quality_issues",
]


def differences(batched: Path, whole: Path, table: str) -> tuple[int, int, int]:
    """(rows, rows only the batched build has, rows only the other has), run stamps left out."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{batched}' AS batched (READ_ONLY); ATTACH '{whole}' AS whole (READ_ONLY)")
        schema, name = table.split(".")
        columns = [
            f'"{column}"'
            for (column,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'batched' "
                "AND schema_name = ? AND table_name = ? ORDER BY column_index",
                [schema, name],
            ).fetchall()
            if column not in RUN_STAMPS
        ]
        listed = ", ".join(columns)
        rows = con.execute(f"SELECT count(*) FROM batched.{table}").fetchone()[0]
        only = [
            con.execute(
                f"SELECT count(*) FROM (SELECT {listed} FROM {a}.{table} EXCEPT ALL SELECT {listed} FROM {b}.{table})"
            ).fetchone()[0]
            for a, b in (("batched", "whole"), ("whole", "batched"))
        ]
    return rows, only[0], only[1]


def test_settings_pass_the_batch_size_to_dbt(tmp_path, monkeypatch):
    monkeypatch.delenv(Env.BATCH_ROWS, raising=False)
    settings = Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="duckdb")
    derived = int(settings.with_overrides(memory_limit="1GB").dbt_environment()[Env.BATCH_ROWS])
    assert derived == 400_000, "a batch is what the memory limit holds"
    assert int(settings.with_overrides(memory_limit="500MB").dbt_environment()[Env.BATCH_ROWS]) < derived
    monkeypatch.setenv(Env.BATCH_ROWS, "37")
    settings = Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="duckdb")
    assert settings.dbt_environment()[Env.BATCH_ROWS] == "37"


def test_staging_in_batches_equals_staging_in_one_go(tmp_path, monkeypatch):
    source = tmp_path / "months"
    summary = generate_bucket(source, rows=150, months=3, seed=11, start=date(2024, 3, 1), truth=False)
    builds = {}
    for label, batch_rows in (("batched", SMALL_BATCH), ("whole", ONE_BATCH)):
        bucket = tmp_path / label / "bucket"
        bucket.mkdir(parents=True)
        settings = Settings.load(bucket_url=str(bucket), database=tmp_path / label / "leads.duckdb", target="duckdb")
        builds[label] = (bucket, settings.with_overrides(batch_rows_override=batch_rows))

    for day in (snapshot.strftime("%Y%m%d") for snapshot in summary.snapshots):
        for label, (bucket, settings) in builds.items():
            monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / label / "target"))
            copy_snapshots(source, bucket, [day])
            execute(settings, "leads ingest", do_ingest=True, do_transform=False)
            report = run_transform(settings, with_tests=True)
            assert not report.failed_tests, f"{day}: {report.failed_tests}"
        for table in COMPARED:
            rows, only_batched, only_whole = differences(
                builds["batched"][1].database, builds["whole"][1].database, table
            )
            assert rows > 0 or table in CRM_TABLES, f"{day}: {table} is empty"
            assert (only_batched, only_whole) == (0, 0), f"{day}: {table} differs when staged in batches"

    # A month added to staged months read each lookup narrowed to its values, once, not per batch.
    compiled = next((tmp_path / "batched" / "target" / "compiled").rglob("stg_source_2__facilities.sql"))
    narrowed = re.findall(r"__lookup_([a-z_]+)\"[^/]*/\* narrowed lookup", compiled.read_text(encoding="utf-8"))
    assert sorted(narrowed) == ["caregivers", "facility_names", "licensees", "phones", "street_lines"]
    with duckdb.connect(str(builds["batched"][1].database), read_only=True) as con:
        left = con.execute("SELECT table_name FROM duckdb_tables() WHERE contains(table_name, '__lookup_')").fetchall()
    assert left == [], "the narrowed lookups outlived the build"


BATCH_ZERO = re.compile(r"between 1 and (\d+) /\* batch 0 of (\d+) by (\d+) \*/")


def test_a_load_of_uneven_files_is_cut_into_record_ranges_none_larger_than_a_batch(tmp_path, monkeypatch):
    """Several months landed in one load: a batch is a range of record numbers of every file, as
    wide as the batch size shared by the files, so no batch holds more rows than the setting."""
    source = tmp_path / "months"
    summary = generate_bucket(source, rows=150, months=3, seed=5, start=date(2024, 3, 1), truth=False)
    # The last month's files cut short, so the load's files are of uneven length.
    for path in source.rglob(f"*_{summary.snapshots[-1]:%Y%m%d}.csv"):
        path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:40]), encoding="utf-8")
    days = [snapshot.strftime("%Y%m%d") for snapshot in summary.snapshots]
    databases = {}
    for label, batch_rows in (("batched", SMALL_BATCH), ("whole", ONE_BATCH)):
        bucket = tmp_path / label / "bucket"
        copy_snapshots(source, bucket, days)
        settings = Settings.load(bucket_url=str(bucket), database=tmp_path / label / "leads.duckdb", target="duckdb")
        settings = settings.with_overrides(batch_rows_override=batch_rows)
        monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / label / "target"))
        execute(settings, "leads ingest", do_ingest=True, do_transform=False)
        assert not run_transform(settings, with_tests=True).failed_tests
        databases[label] = settings.database

    model = "stg_source_2__facilities"
    compiled = next((tmp_path / "batched" / "target" / "compiled").rglob(f"{model}.sql")).read_text(encoding="utf-8")
    found = BATCH_ZERO.search(compiled)
    assert found, f"{model} was not computed in batches of record numbers"
    width, batches = int(found.group(1)), int(found.group(2))
    assert int(found.group(3)) == width
    with duckdb.connect(str(databases["batched"]), read_only=True) as con:
        files, last = con.execute(
            "SELECT count(DISTINCT _relative_path), max(_record_number) FROM raw.source_2_raw"
        ).fetchone()
        largest = con.execute(
            f"SELECT max(rows) FROM (SELECT count(*) AS rows FROM raw.source_2_raw "
            f"GROUP BY (_record_number - 1) // {width})"
        ).fetchone()[0]
    assert files == 3 and batches == -(-last * files // SMALL_BATCH) and width == -(-last // batches)
    assert SMALL_BATCH // 2 < largest <= SMALL_BATCH + files
    for table in COMPARED:
        rows, only_batched, only_whole = differences(databases["batched"], databases["whole"], table)
        assert rows > 0 or table in CRM_TABLES, f"{table} is empty"
        assert (only_batched, only_whole) == (0, 0), f"{table} differs when staged in batches of record ranges"
