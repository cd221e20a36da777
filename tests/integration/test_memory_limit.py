"""One memory limit for every engine connection (LEADS_MEMORY_LIMIT): the CSV reader, the load, the
lookups and dbt all run under it, and a run under a small one still finishes, spilling to disk."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import DEFAULT_MEMORY_MAX_MB, DEFAULT_MEMORY_MIN_MB, Settings, default_memory_limit
from leads_pipeline.run.pipeline import Progress, execute
from leads_pipeline.stages.ingest.csv_reader import CsvFileReader
from leads_pipeline.stages.ingest.runner import destination
from leads_pipeline.stages.lookups import refresh
from leads_pipeline.warehouse import Warehouse
from tests.conftest import DEMO_BUCKET, copy_project

SMALL = "250MB"


def as_duckdb_shows(limit: str) -> str:
    with duckdb.connect(config={"memory_limit": limit}) as con:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_the_setting_is_read_checked_and_defaults_to_a_share_of_the_machine(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADS_MEMORY_LIMIT", "2.5 GB")
    assert Settings.load(database=tmp_path / "x.duckdb").memory_limit == "2.5GB"
    monkeypatch.setenv("LEADS_MEMORY_LIMIT", "lots")
    with pytest.raises(ConfigError, match="LEADS_MEMORY_LIMIT='lots' is not a memory size"):
        Settings.load(database=tmp_path / "x.duckdb")
    monkeypatch.delenv("LEADS_MEMORY_LIMIT")
    default = Settings.load(database=tmp_path / "x.duckdb").memory_limit
    assert default == default_memory_limit()
    assert DEFAULT_MEMORY_MIN_MB <= int(default.removesuffix("MB")) <= DEFAULT_MEMORY_MAX_MB


def test_ingestion_runs_every_duckdb_connection_under_the_limit(real_bucket, settings_for, monkeypatch):
    monkeypatch.setenv("LEADS_MEMORY_LIMIT", SMALL)
    settings = settings_for(real_bucket)
    limits: list[str] = []
    reader_connect, streamed = CsvFileReader._connect, Warehouse.arrow_batches

    def reader_recording(self):
        con = reader_connect(self)
        limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return con

    def lookups_recording(self, sql, rows):
        limits.append(self.query("SELECT current_setting('memory_limit')")[0][0])
        return streamed(self, sql, rows)

    monkeypatch.setattr(CsvFileReader, "_connect", reader_recording)
    monkeypatch.setattr(Warehouse, "arrow_batches", lookups_recording)
    report = execute(settings, "leads ingest", True, False)
    assert report.files_loaded == 4
    assert limits and set(limits) == {as_duckdb_shows(SMALL)}
    assert destination(settings).config_params["credentials"].global_config["memory_limit"] == SMALL


def test_parser_processes_fit_in_half_the_limit():
    assert refresh.parser_processes("3000MB", cores=2) == 2
    assert refresh.parser_processes("3GB", cores=64) == 3  # 1.5 GB of 500 MB processes
    assert refresh.parser_processes("1GB", cores=8) == 0  # one would not be worth its start
    assert refresh.parser_processes("16GB", cores=1) == 0


@pytest.mark.parametrize(
    ("limit", "processes", "duckdb_while_parsing", "said"),
    [
        ("2GB", 2, f"{2000 - 2 * refresh.PARSER_PROCESS_MB}MB", "parsing in 2 parser processes on 8 cores"),
        ("1GB", 0, "1GB", "parsing in one process on 8 cores"),
    ],
)
def test_parser_processes_share_the_lookups_limit_with_duckdb(
    real_bucket, settings_for, monkeypatch, limit, processes, duckdb_while_parsing, said
):
    """Parser processes live outside DuckDB's limit: while they run, DuckDB keeps what they leave,
    and the run says when the limit, not the machine, keeps cores idle."""
    monkeypatch.setenv("LEADS_MEMORY_LIMIT", limit)
    monkeypatch.setattr(refresh.os, "cpu_count", lambda: 8)
    # Every batch, however small, goes to the parser processes.
    monkeypatch.setattr(
        refresh, "LOOKUPS", {name: replace(lookup, parallel_from=1) for name, lookup in refresh.LOOKUPS.items()}
    )
    pools, queried, lookup_limits, after = [], [], [], []
    start_pool, append, streamed = refresh.ProcessPoolExecutor, Warehouse.append_arrow, Warehouse.arrow_batches

    def pool_counting(*args, **kwargs):
        pools.append(kwargs["max_workers"])
        return start_pool(*args, **kwargs)

    def append_recording(self, schema, table, data):
        shown = self.query("SELECT current_setting('memory_limit')")[0][0]
        if schema == "lookup":
            lookup_limits.append(shown)
        elif table == "lookup_loads":
            after.append(shown)
        return append(self, schema, table, data)

    def query_recording(self, sql, rows):
        # Lowered under a running query, DuckDB would have to free what the query holds at once.
        queried.append(self.query("SELECT current_setting('memory_limit')")[0][0])
        return streamed(self, sql, rows)

    monkeypatch.setattr(refresh, "ProcessPoolExecutor", pool_counting)
    monkeypatch.setattr(Warehouse, "append_arrow", append_recording)
    monkeypatch.setattr(Warehouse, "arrow_batches", query_recording)
    messages: list[str] = []
    report = execute(settings_for(real_bucket), "leads ingest", True, False, Progress(message=messages.append))
    assert report.files_loaded == 4
    assert [m for m in messages if m.startswith("parsing in ")] == [
        f"{said}: each parser process takes {refresh.PARSER_PROCESS_MB} MB of the memory limit ({limit}), "
        "at most half of it; raise LEADS_MEMORY_LIMIT to use more cores"
    ]
    assert pools == ([processes] if processes else [])
    assert queried and set(queried) == {as_duckdb_shows(duckdb_while_parsing)}
    assert lookup_limits and set(lookup_limits) == {as_duckdb_shows(duckdb_while_parsing)}
    assert after == [as_duckdb_shows(limit)]


def test_a_packages_files_load_into_duckdb_one_at_a_time(real_bucket, settings_for, monkeypatch):
    """Each file's INSERT already uses every core: loaded side by side, files would only add their
    buffers beside the limit."""
    from dlt.destinations.impl.duckdb.duck import DuckDbCopyJob

    running, most, loaded = [0], [0], []
    guard = threading.Lock()
    insert = DuckDbCopyJob.run

    def run_counting(self):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)  # long enough for a second worker to start beside it, were there one
        try:
            insert(self)
        finally:
            with guard:
                running[0] -= 1
                loaded.append(self.load_table_name)

    monkeypatch.setattr(DuckDbCopyJob, "run", run_counting)
    report = execute(settings_for(real_bucket), "leads ingest", True, False)
    assert report.files_loaded == 4
    assert len([table for table in loaded if table.endswith("_raw")]) == 4
    assert most[0] == 1


@pytest.mark.slow  # builds the dbt project
def test_a_run_under_a_small_limit_finishes_with_dbt_under_it(tmp_path: Path, monkeypatch):
    project = copy_project(tmp_path / "project")
    # A data test that fails unless dbt's connection runs under the limit.
    (project / "leads" / "tests" / "assert_memory_limit.sql").write_text(
        f"select current_setting('memory_limit') as limit_in_use "
        f"where current_setting('memory_limit') <> '{as_duckdb_shows(SMALL)}'\n"
    )
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(project))
    monkeypatch.setenv("LEADS_MEMORY_LIMIT", SMALL)
    settings = Settings.load(bucket_url=str(DEMO_BUCKET), database=tmp_path / "leads.duckdb")
    report = execute(settings, "leads run", True, True)
    tests = {n.name: n.status for n in report.transform.nodes if n.resource_type == "test"}
    assert tests["assert_memory_limit"] == "pass"
    assert not report.transform.failed_tests


@pytest.mark.slow  # generates 200,000 records per source and runs the whole pipeline on them
def test_a_first_month_larger_than_the_limit_finishes_under_it(tmp_path: Path, monkeypatch):
    # Under 400 MB this month ran out of memory in staging when a model joined a whole file to
    # every lookup row in one statement; in batches of what the limit holds (each reading only the
    # lookup rows it matches) and one model at a time, it fits.
    bucket = tmp_path / "bucket"
    generate_bucket(bucket, rows=200_000, months=1, truth=False)
    monkeypatch.setenv("LEADS_MEMORY_LIMIT", "400MB")
    monkeypatch.delenv("LEADS_BATCH_ROWS", raising=False)
    settings = Settings.load(bucket_url=str(bucket), database=tmp_path / "leads.duckdb")
    report = execute(settings, "leads run", True, True)
    assert report.rows_loaded > 600_000
    assert not report.transform.failed_models and not report.transform.failed_tests
    with Warehouse.open(settings, read_only=True) as warehouse:
        assert warehouse.query("SELECT count(*) FROM main_gold.leads")[0][0] > 400_000


def resident_mb() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20


def test_the_lookups_give_back_what_arrow_keeps_of_freed_buffers(real_bucket, settings_for):
    """Arrow's allocator keeps freed memory for its next buffers; the lookups' parser processes
    run beside it, so each lookup gives it back (after the raw load it held 0.45 GB at 1 M)."""
    settings = settings_for(real_bucket)
    execute(settings, "leads ingest", True, False)
    freed = pc.add(pa.array(np.zeros(50_000_000)), 1)  # 400 MB that Arrow allocates and writes
    del freed
    kept = resident_mb()
    with Warehouse.open(settings) as warehouse:
        refresh.refresh_lookups(warehouse, load_registry(settings.sources_file))
    assert kept - resident_mb() > 300
