"""Each database file has its own working files (dlt's pipeline folder, the spool), even beside
another whose name differs only by its extension."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from leads_pipeline.config.settings import Settings
from leads_pipeline.run.faults import PAUSE_ENV, PAUSE_FILE_ENV
from leads_pipeline.run.pipeline import execute
from tests.conftest import DEMO_BUCKET
from tests.e2e.conftest import start_leads


def settings_on(database: Path, bucket: Path = DEMO_BUCKET) -> Settings:
    return Settings.load(bucket_url=str(bucket), database=database, target="duckdb")


def demo_files() -> set[str]:
    return {p.relative_to(DEMO_BUCKET).as_posix() for p in DEMO_BUCKET.rglob("*.csv") if "_truth" not in p.parts}


def loaded_files(database: Path) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            path
            for (path,) in con.execute(
                "SELECT relative_path FROM raw.ingested_files WHERE status = 'loaded'"
            ).fetchall()
        }


def test_databases_named_alike_have_their_own_state_and_lock(tmp_path: Path):
    with_extension, without = settings_on(tmp_path / "x.duckdb"), settings_on(tmp_path / "x")
    assert with_extension.state_dir != without.state_dir
    assert with_extension.state_dir.parent == without.state_dir.parent == tmp_path / ".leads"
    assert (with_extension.lock_path, without.lock_path) == (tmp_path / "x.duckdb.lock", tmp_path / "x.lock")


def test_two_databases_named_alike_in_one_folder_both_load_every_file(tmp_path: Path):
    files = demo_files()
    assert len(files) == 7
    first, second = settings_on(tmp_path / "x.duckdb"), settings_on(tmp_path / "x")
    assert execute(first, "leads ingest", True, False).files_loaded == len(files)
    assert execute(second, "leads ingest", True, False).files_loaded == len(files)
    assert loaded_files(first.database) == loaded_files(second.database) == files
    # and the first still knows what it loaded: a new ingestion finds nothing new
    again = execute(first, "leads ingest", True, False)
    assert again.files_loaded == 0
    assert loaded_files(first.database) == files


def test_a_run_on_one_does_not_delete_the_working_files_of_a_run_on_the_other(tmp_path: Path):
    """Two runs at once (each holds its own database's lock): the second must not delete the
    first's extracted load package or spool in the middle of its run."""
    files = demo_files()
    release = tmp_path / "release"
    first = start_leads(
        ["ingest", "--bucket-url", str(DEMO_BUCKET), "--database", str(tmp_path / "x.duckdb")],
        env={PAUSE_ENV: "ingest:after-extract", PAUSE_FILE_ENV: str(release)},
    )
    try:
        deadline = time.monotonic() + 180
        while not release.with_name("release.ready").exists():
            assert first.poll() is None, f"the first run ended early: {first.stderr.read()[-2000:]}"
            assert time.monotonic() < deadline, "the first run never extracted its files"
            time.sleep(0.1)
        # the first run has extracted every file and waits to load them; the second runs meanwhile
        assert execute(settings_on(tmp_path / "x"), "leads ingest", True, False).files_loaded == len(files)
    finally:
        release.touch()
        _out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err[-3000:]
    assert loaded_files(tmp_path / "x.duckdb") == loaded_files(tmp_path / "x") == files
