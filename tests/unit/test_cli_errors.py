"""Every failure of `leads` is one line on stderr (`error: ...`) and its documented exit code: 2 for
configuration, 1 with the cause for the rest. A bug names its type and where its traceback is, and
no secret is printed or written."""

from __future__ import annotations

import errno
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.errors import out_of_memory_advice
from leads_pipeline.observe import status as status_module
from tests.conftest import PROJECT_ROOT

SECRET = "pgSECRETword"
HOOK = "http://hooks.example.test/services/hookSECRETpath"


def leads(args: list[str], env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, args, env={"NO_COLOR": "1", **(env or {})})
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__} escaped: {result.exception}"
    )
    return result


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    return lines[0]


def free_port() -> int:
    """A local port where nothing listens (it was free an instant ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch):
    """Each test's database in its own folder, and no LEADS_* setting from the caller's environment."""
    for name in list(os.environ):
        if name.startswith("LEADS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LEADS_DATABASE", str(tmp_path / "leads.duckdb"))


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["run", "--target", "snowflake"], {}, "error: unknown target 'snowflake': use duckdb or postgres or spark"),
        (["status"], {"LEADS_MAX_FILE_AGE_DAYS": "abc"}, "error: LEADS_MAX_FILE_AGE_DAYS='abc' is not a number"),
        (["alerts"], {"LEADS_TARGET": "oracle"}, "error: unknown target 'oracle'"),
        (
            ["status", "--target", "postgres"],
            {"LEADS_POSTGRES_DSN": f"mysql://root:{SECRET}@localhost/leads"},
            "error: LEADS_POSTGRES_DSN 'mysql://root:***@localhost/leads' is not a PostgreSQL URL",
        ),
        (
            ["status", "--target", "postgres"],
            {"LEADS_POSTGRES_DSN": f"postgresql://loader:{SECRET}@127.0.0.1:notaport/leads"},
            "error: LEADS_POSTGRES_DSN 'postgresql://loader:***@127.0.0.1:notaport/leads' is not a PostgreSQL URL",
        ),
    ],
    ids=["unknown target", "setting not a number", "unknown target from env", "not postgres", "bad port"],
)
def test_a_configuration_error_is_one_line_and_exit_2(args, env, expected):
    result = leads(args, env)
    line = one_error_line(result.stderr)
    assert line.startswith(expected), line
    assert SECRET not in result.output and "***" not in line.removeprefix(expected)  # the hint is not masked
    assert result.exit_code == 2


@pytest.mark.parametrize("command", [["status"], ["alerts"], ["alerts", "ack", "--all"]])
def test_postgres_that_does_not_answer_is_a_configuration_error(command):
    dsn = f"postgresql://loader:{SECRET}@127.0.0.1:{free_port()}/leads"
    result = leads([*command, "--target", "postgres"], {"LEADS_POSTGRES_DSN": dsn})
    line = one_error_line(result.stderr)
    assert "cannot connect to PostgreSQL at 127.0.0.1:" in line and "LEADS_POSTGRES_DSN" in line
    assert SECRET not in result.output
    assert result.exit_code == 2


def fail_with(monkeypatch, error: BaseException) -> None:
    def collect_status(*args, **kwargs):
        raise error

    monkeypatch.setattr(status_module, "collect_status", collect_status)


def wrapped(inner: BaseException) -> Exception:
    """`inner` as the cause of a library's own error, as dlt and dbt wrap what failed under them."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise RuntimeError("Pipeline execution failed at stage load") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/leads.duckdb.wal"),
        duckdb.IOException('IO Error: Could not write file "/data/leads.duckdb.wal": No space left on device'),
        wrapped(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/leads.duckdb.wal")),
    ],
    ids=["OSError", "DuckDB", "wrapped"],
)
def test_a_full_disk_names_the_path_and_says_to_free_space(monkeypatch, error):
    fail_with(monkeypatch, error)
    result = leads(["status"])
    line = one_error_line(result.stderr)
    assert line.startswith("error: no space left on the disk holding /data/leads.duckdb.wal: free space there")
    assert result.exit_code == 1


def test_a_file_the_user_may_not_write_names_it(monkeypatch, tmp_path):
    fail_with(
        monkeypatch, PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path / "leads.duckdb.lock"))
    )
    result = leads(["status"])
    assert one_error_line(result.stderr).startswith(f"error: cannot write {tmp_path / 'leads.duckdb.lock'}: user ")
    assert result.exit_code == 1


def test_a_damaged_database_found_mid_run_says_so(monkeypatch, tmp_path):
    fail_with(monkeypatch, duckdb.IOException("IO Error: Corrupt database file: computed checksum 1 does not match"))
    result = leads(["status"])
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: {tmp_path / 'leads.duckdb'} is not a readable DuckDB database")
    assert "restore it from a backup or delete it to start over" in line
    assert result.exit_code == 1


def duckdb_out_of_memory() -> duckdb.Error:
    """A real one: a list aggregate cannot spill, and needs more than a 20 MB limit."""
    with duckdb.connect(config={"memory_limit": "20MB", "threads": 1}) as con:
        try:
            con.execute("SELECT list(i) FROM range(5000000) AS t(i)").fetchall()
        except duckdb.OutOfMemoryException as exc:
            return exc
    raise AssertionError("DuckDB held five million values in 20 MB")


@pytest.mark.parametrize("wrap", [False, True], ids=["DuckDB", "wrapped"])
def test_running_out_of_memory_says_to_raise_the_limit(monkeypatch, wrap):
    error = duckdb_out_of_memory()
    fail_with(monkeypatch, wrapped(error) if wrap else error)
    result = leads(["status"])
    line = one_error_line(result.stderr)
    assert line.startswith("error: Out of Memory Error: failed to allocate")
    assert line.endswith("raise LEADS_MEMORY_LIMIT (e.g. 4GB) and run again")
    assert "unexpected" not in line and result.exit_code == 1


def test_a_model_out_of_memory_says_to_raise_the_limit():
    from leads_pipeline.stages.transform.dbt import failure_cause

    message = (
        "Runtime Error in model stg_source_2__facilities (models/staging/source_2/stg_source_2__facilities.sql)\n"
        "  Out of Memory Error: could not allocate block of size 256.0 KiB (476.9 MiB/476.8 MiB used)"
    )
    cause = failure_cause(message)
    assert cause.startswith("Out of Memory Error") and out_of_memory_advice(cause).startswith("DuckDB needed more")
    assert out_of_memory_advice("Binder Error: column x not found") == ""


def test_a_bug_is_one_line_with_its_type_and_the_traceback_in_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADS_WEBHOOK_URL", HOOK)
    fail_with(monkeypatch, ValueError(f"no column posted to {HOOK}\nsecond line"))
    result = leads(["status"])
    line = one_error_line(result.stderr)
    match = re.fullmatch(r"error: unexpected ValueError: (.*) \(a bug: the traceback is in (\S+)\)", line)
    assert match, line
    assert match.group(1) == "no column posted to ***"
    assert "hookSECRETpath" not in result.output
    log = Path(match.group(2)).read_text(encoding="utf-8")
    assert "Traceback" in log and "collect_status" in log and "ValueError" in log and "second line" in log
    assert "hookSECRETpath" not in log
    assert result.exit_code == 1


def test_the_installed_command_prints_one_line_too(tmp_path):
    """The console script and `python -m`, as a user runs them: no traceback, the documented code."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEADS_")},
        "NO_COLOR": "1",
        "LEADS_DATABASE": str(tmp_path / "leads.duckdb"),
        "LEADS_MAX_FILE_AGE_DAYS": "abc",
    }
    script = Path(sys.executable).with_name("leads")
    for command in ([str(script)], [sys.executable, "-m", "leads_pipeline.cli"]):
        done = subprocess.run(
            [*command, "status"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert one_error_line(done.stderr) == "error: LEADS_MAX_FILE_AGE_DAYS='abc' is not a number", command
        assert done.returncode == 2, command
