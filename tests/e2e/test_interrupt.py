"""Ctrl-C: a `leads run` stopped by SIGINT says so in one line, exits 130, records itself as
interrupted and releases the lock; the next run completes the work (the files not yet loaded are
loaded, the transform runs) and ends with the tables an uninterrupted run builds."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.config.settings import Settings
from leads_pipeline.run import audit
from leads_pipeline.run.faults import PAUSE_ENV, PAUSE_FILE_ENV
from leads_pipeline.run.lock import is_locked
from tests.e2e.conftest import VOLATILE_COLUMNS, leads, start_leads, table_hashes
from tests.e2e.test_safe_reruns import BUILT, clean_run, run_args, wait_for  # noqa: F401 - clean_run: a fixture

pytestmark = pytest.mark.slow

INTERRUPTED_EXIT = 130  # as README.md documents
INTERRUPT_TAKEN_SECONDS = 2.0

# Where the run is stopped: files extracted but not loaded; dbt half-way through its models.
POINTS = ["ingest:after-extract", "transform:after-nodes:3"]


@pytest.mark.parametrize("point", POINTS)
def test_an_interrupted_run_is_recorded_and_the_next_completes_it(point, clean_run, real_dir: Path, tmp_path):  # noqa: F811
    database = tmp_path / "leads.duckdb"
    release = tmp_path / "release"  # never created: the run waits at the point until interrupted
    run = start_leads(run_args(real_dir, database), env={PAUSE_ENV: point, PAUSE_FILE_ENV: str(release)})
    try:
        wait_for(release.with_name("release.ready"), run)
        run.send_signal(signal.SIGINT)
        # A pause in a dbt worker thread would hold the interrupted process open until its time
        # limit: once the main thread has taken the interrupt, the pause may end.
        time.sleep(INTERRUPT_TAKEN_SECONDS)
        release.touch()
        _stdout, stderr = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == INTERRUPTED_EXIT, stderr[-2000:]
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: interrupted; a run stopped this way is recorded as interrupted, and the next `leads run` "
        "completes its work"
    ]
    assert stderr.rstrip().splitlines()[-1] == errors[0]  # the last word, after the progress lines
    settings = Settings.load(bucket_url=str(real_dir), database=database)
    assert not is_locked(settings.lock_path)
    with duckdb.connect(str(database), read_only=True) as con:
        runs = con.execute("SELECT outcome, message, finished_at IS NOT NULL FROM main_audit.runs").fetchall()
        has_alerts = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main_audit' AND table_name = 'alerts'"
        ).fetchone()[0]
        failed = (
            con.execute("SELECT count(*) FROM main_audit.alerts WHERE kind = 'run_failed'").fetchone()[0]
            if has_alerts
            else 0
        )
    assert runs == [(audit.INTERRUPTED, audit.STOPPED_MESSAGE, True)]
    assert failed == 0  # stopping a run on purpose is no failure

    rerun = leads(run_args(real_dir, database))
    assert rerun.returncode in BUILT, rerun.stderr
    assert "transformed:" in rerun.stdout  # the transform ran
    assert table_hashes(database, VOLATILE_COLUMNS) == clean_run.stable
    with duckdb.connect(str(database), read_only=True) as con:
        outcomes = [o for (o,) in con.execute("SELECT outcome FROM main_audit.runs ORDER BY started_at").fetchall()]
    assert outcomes == [audit.INTERRUPTED, "success"]
