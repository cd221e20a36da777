"""What counts as Ctrl-C, however the library that was running wraps it, and what a run stopped by
it records: `interrupted`, no failure alert, the lock released."""

from __future__ import annotations

import duckdb
import pytest

from leads_pipeline.config.errors import is_interrupt
from leads_pipeline.run import audit
from leads_pipeline.run.lock import is_locked
from leads_pipeline.run.pipeline import recorded_run
from tests.unit.test_cli_errors import wrapped


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (KeyboardInterrupt(), True),
        (wrapped(KeyboardInterrupt()), True),
        (duckdb.InterruptException("INTERRUPT Error: Interrupted!"), True),
        (wrapped(duckdb.InterruptException("INTERRUPT Error: Interrupted!")), True),
        (ValueError("a bug"), False),
        (wrapped(OSError("disk")), False),
    ],
    ids=["KeyboardInterrupt", "wrapped", "DuckDB", "DuckDB wrapped", "other error", "other wrapped"],
)
def test_an_interrupt_is_known_through_any_wrapping(error, expected):
    assert is_interrupt(error) is expected


def test_a_run_stopped_by_ctrl_c_records_itself_as_interrupted(settings_for, tmp_path):
    settings = settings_for(tmp_path)
    with pytest.raises(KeyboardInterrupt), recorded_run(settings, "leads run", ["ingest"]) as run:
        raise KeyboardInterrupt
    assert not is_locked(settings.lock_path)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        runs = con.execute("SELECT run_id, outcome, message, finished_at IS NOT NULL FROM main_audit.runs").fetchall()
        alerts = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main_audit' AND table_name = 'alerts'"
        ).fetchone()[0]
    assert runs == [(run.run_id, audit.INTERRUPTED, audit.STOPPED_MESSAGE, True)]
    assert alerts == 0  # no run_failed alert: the run was stopped on purpose


def test_a_failed_run_is_still_a_failure(settings_for, tmp_path):
    settings = settings_for(tmp_path)
    with pytest.raises(ValueError), recorded_run(settings, "leads run", ["ingest"]):
        raise ValueError("a bug")
    with duckdb.connect(str(settings.database), read_only=True) as con:
        assert con.execute("SELECT outcome FROM main_audit.runs").fetchall() == [("failed",)]
        assert con.execute("SELECT kind FROM main_audit.alerts").fetchall() == [("run_failed",)]
