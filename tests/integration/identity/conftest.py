"""Warehouses built by the whole pipeline from generated multi-month buckets, and their truth.

Building a warehouse takes the pipeline's real path (`pipeline.execute`: ingest, lookups, dbt,
the identity resolve step, dbt again), so each is built once per session and shared.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from tests.conftest import DEMO_BUCKET

HISTORY = {"rows": 2000, "months": 3, "seed": 11, "start": date(2024, 10, 1)}
LEAD_SOURCES = ("source_1", "source_2", "source_3")


def settings_at(bucket: Path, database: Path) -> Settings:
    return Settings.load(bucket_url=str(bucket), database=database, target="duckdb")


def run_pipeline(bucket: Path, database: Path, with_tests: bool = True) -> Settings:
    """`leads run` on a bucket; `with_tests=False` builds the models without dbt's tests."""
    settings = settings_at(bucket, database)
    if with_tests:
        report = execute(settings, "leads run", do_ingest=True, do_transform=True)
        assert report.transform is not None and not report.transform.failed_tests, [
            (n.name, n.message) for n in report.transform.failed_tests
        ]
    else:
        from leads_pipeline.stages.transform.phases import run_transform

        execute(settings, "leads ingest", do_ingest=True, do_transform=False)
        run_transform(settings, with_tests=False)
    return settings


def copy_snapshots(source_bucket: Path, bucket: Path, days: Iterable[str]) -> None:
    """Copy the agency and CRM files of the given snapshots (`YYYYMMDD`) into `bucket`.

    Copies get a new modification time, as files dropped into a bucket later do.
    """
    for day in days:
        for path in source_bucket.rglob(f"*_{day}.csv"):
            target = bucket / path.relative_to(source_bucket)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    # Not read-only: dbt, run in this process, keeps the file open read-write.
    with duckdb.connect(str(database)) as con:
        return con.execute(sql, params or []).fetchall()


def truth_rows(truth_dir: Path, name: str) -> list[dict[str, str]]:
    with open(truth_dir / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def history_bucket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 records per agency file, three monthly snapshots, a CRM export, and the truth."""
    out = tmp_path_factory.mktemp("history_bucket")
    generate_bucket(out, **HISTORY)
    return out


@pytest.fixture(scope="session")
def history_db(history_bucket: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The history bucket loaded in one run, with every dbt test."""
    database = tmp_path_factory.mktemp("history_db") / "leads.duckdb"
    run_pipeline(history_bucket, database)
    return database


@pytest.fixture(scope="session")
def demo_days() -> list[str]:
    days = sorted({p.stem.rsplit("_", 1)[1] for p in (DEMO_BUCKET / "technical_exercise").rglob("*.csv")})
    assert len(days) >= 2
    return days


@pytest.fixture(scope="session")
def demo_in_one_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded demo bucket, every snapshot loaded in one run."""
    database = tmp_path_factory.mktemp("demo_all") / "leads.duckdb"
    run_pipeline(DEMO_BUCKET, database, with_tests=False)
    return database


def columns_and_rows(database: Path, sql: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(database)) as con:
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()
