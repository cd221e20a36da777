"""One pipeline run over the real agency samples, shared by the tests that only read its output."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.pipeline import RunReport, execute
from leads_pipeline.settings import Settings


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


def run_pipeline(bucket: Path, database: Path) -> PipelineRun:
    settings = Settings.load(bucket_url=str(bucket), database=database, target="duckdb")
    return PipelineRun(settings, execute(settings, "run", do_ingest=True, do_transform=True))


@pytest.fixture(scope="session")
def real_run(real_dir, tmp_path_factory) -> PipelineRun:
    """`leads run` over a private copy of the real bucket, in a fresh database."""
    folder = tmp_path_factory.mktemp("real_run")
    bucket = folder / "bucket"
    shutil.copytree(real_dir, bucket, ignore=shutil.ignore_patterns("*.md"))
    return run_pipeline(bucket, folder / "leads.duckdb")
