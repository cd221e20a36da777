"""One pipeline run over the real agency samples, shared by the tests that only read its output."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.pipeline import Progress, RunReport, execute, ingest_step
from leads_pipeline.registry import load_registry
from leads_pipeline.settings import Settings
from leads_pipeline.transform import run_dbt


@dataclass
class PipelineRun:
    settings: Settings
    report: RunReport

    # Not read-only: dbt's DuckDB adapter may still hold the file open in this process, and DuckDB
    # refuses a second connection with another configuration.
    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.database)) as con:
            return con.execute(sql, params or []).fetchall()

    def dicts(self, sql: str, params: list | None = None) -> list[dict]:
        with duckdb.connect(str(self.settings.database)) as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_pipeline(bucket: Path, database: Path, unit_tests: bool = True) -> PipelineRun:
    """`leads run` into a fresh database; without `unit_tests`, the same steps minus dbt's unit
    tests (they test the SQL, not the data, and one run of them per session is enough)."""
    settings = Settings.load(bucket_url=str(bucket), database=database, target="duckdb")
    if unit_tests:
        return PipelineRun(settings, execute(settings, "run", do_ingest=True, do_transform=True))
    report = RunReport()
    report.ingest, report.lookups = ingest_step(settings, load_registry(settings.sources_file), Progress())
    report.transform = run_dbt(settings, ["build", "--exclude-resource-type", "unit_test"])
    return PipelineRun(settings, report)


@pytest.fixture(scope="session")
def real_run(real_dir, tmp_path_factory) -> PipelineRun:
    """`leads run` over a private copy of the real bucket, in a fresh database."""
    folder = tmp_path_factory.mktemp("real_run")
    bucket = folder / "bucket"
    shutil.copytree(real_dir, bucket, ignore=shutil.ignore_patterns("*.md"))
    return run_pipeline(bucket, folder / "leads.duckdb")
