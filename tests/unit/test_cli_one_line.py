"""`leads` never surprises: every bad setting, bad option or unusable folder is one line on stderr
with the exit code the README documents; `--version` and `--help` say what they should; `leads
alerts` wraps long messages instead of cutting them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.settings import DEFAULT_BUCKET, DEFAULT_DATABASE, Env
from leads_pipeline.observe.alerts import Alert, Alerter, TableSink
from leads_pipeline.observe.redact import Redactor
from tests.conftest import PROJECT_ROOT
from tests.unit.test_cli_errors import leads, one_error_line

CONFIGURATION, OTHER = 2, 1  # the exit codes README.md documents for these failures


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch):
    """Each test's database in its own folder, and no LEADS_* setting from the caller's environment."""
    for name in list(os.environ):
        if name.startswith("LEADS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv(Env.DATABASE, str(tmp_path / "leads.duckdb"))


BAD_SETTINGS = [
    (Env.MAX_FILE_AGE_DAYS, "abc", "is not a number"),
    (Env.MAX_FILE_AGE_DAYS, "-1", "is out of range: use a number at least 0"),
    (Env.MAX_FILE_AGE_DAYS, "nan", "is out of range"),
    (Env.MAX_REJECTED_SHARE, "1.5", "is out of range: use a number at least 0 and at most 1"),
    (Env.MAX_DELETED_SHARE, "-0.1", "is out of range"),
    (Env.WEBHOOK_TIMEOUT_SECONDS, "0", "is out of range: use a number more than 0"),
    (Env.WEBHOOK_TIMEOUT_SECONDS, "inf", "is out of range"),
    (Env.ALERT_WINDOW_DAYS, "soon", "is not a number"),
    (Env.SENSOR_INTERVAL_SECONDS, "inf", "is not a whole number of 1 or more"),
    (Env.SENSOR_INTERVAL_SECONDS, "0", "is not a whole number of 1 or more"),
    (Env.SCHEDULE_CRON, "every day", "is not a cron expression"),
    (Env.SCHEDULE_TIMEZONE, "Mars/Olympus", "is not a time zone"),
    (Env.MEMORY_LIMIT, "lots", "is not a memory size"),
    (Env.MAX_BLOCK_SIZE, "1", "is not a whole number of 2 or more"),
    (Env.TARGET, "snowflake", "unknown target 'snowflake': use duckdb or postgres"),
    (Env.BUCKET_URL, "ftp://agency.example/files", "has an unsupported scheme 'ftp'"),
    (Env.DAGSTER_CATALOG, "maybe", "is neither on nor off"),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD_SETTINGS, ids=[f"{n}={v}" for n, v, _ in BAD_SETTINGS])
@pytest.mark.parametrize("command", [["run"], ["status"], ["alerts"]])
def test_a_bad_setting_is_one_line_and_exit_2(command, name, value, says):
    result = leads(command, {name: value})
    line = one_error_line(result.stderr)
    assert says in line, line
    assert name in line or name == Env.BUCKET_URL  # it names the variable to fix (the URL names itself)
    assert result.exit_code == CONFIGURATION


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--target", "snowflake"], "unknown target 'snowflake'"),
        (["run", "--rows", "5"], "No such option: --rows (`leads run --help` lists the options)"),
        (["status", "--files", "-1"], "Invalid value for '--files'"),
        (["status", "--runs", "many"], "Invalid value for '--runs'"),
        (["ui", "--port", "70000"], "Invalid value for '--port'"),
        (["demo", "generate", "--rows", "0"], "Invalid value for '--rows'"),
        (["demo", "generate", "--months", "0"], "Invalid value for '--months'"),
        (["demo", "generate", "--start", "2024-13-01"], "'2024-13-01' is not a date: use YYYY-MM-DD"),
        (["nosuch"], "No such command 'nosuch'"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2(args, says):
    result = leads(args)
    line = one_error_line(result.stderr)
    assert says in line, line
    assert result.exit_code == CONFIGURATION


def test_demo_generate_refuses_a_folder_that_is_not_empty(tmp_path):
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    (bucket / "notes.txt").write_text("kept", encoding="utf-8")
    refused = leads(["demo", "generate", "--out", str(bucket), "--rows", "3"])
    line = one_error_line(refused.stderr)
    assert line.startswith(f"error: --out {bucket} is not empty: name an empty or new folder, or pass --force")
    assert refused.exit_code == CONFIGURATION
    assert sorted(p.name for p in bucket.iterdir()) == ["notes.txt"]  # nothing written

    forced = leads(["demo", "generate", "--out", str(bucket), "--rows", "3", "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert (bucket / "notes.txt").read_text(encoding="utf-8") == "kept"  # --force replaces no other file
    assert list(bucket.glob("technical_exercise/source_1/*.csv"))


def test_demo_generate_into_a_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = leads(["demo", "generate", "--out", str(blocker / "bucket"), "--rows", "3"])
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: cannot create --out {blocker / 'bucket'} (Not a directory)"), line
    assert result.exit_code == CONFIGURATION


def without_write_permission_override() -> list[str]:
    """A command prefix under which this user obeys file modes: root ignores them unless it drops
    the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be simulated")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}"]


@pytest.mark.parametrize("command", [["run"], ["ingest"], ["alerts", "ack", "--all"]])
def test_a_database_in_a_read_only_folder_is_one_line(tmp_path, command):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEADS_")},
        "NO_COLOR": "1",
        Env.DATABASE: str(folder / "leads.duckdb"),
    }
    script = Path(sys.executable).with_name("leads")
    try:
        done = subprocess.run(
            [*without_write_permission_override(), str(script), *command],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        folder.chmod(0o755)
    line = one_error_line(done.stderr)
    assert line.startswith(f"error: cannot write {folder / 'leads.duckdb.lock'}: user "), line
    assert f"its folder {folder} is owned by" in line and "mode 0555" in line
    assert done.returncode == OTHER


def test_version_prints_the_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"leads {version('leads-pipeline')}"


@pytest.mark.parametrize("command", ["run", "ingest", "status", "alerts"])
def test_help_shows_each_options_environment_variable_and_default(command):
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    text = re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", result.stdout))
    assert f"--database <path> DuckDB file [env var: {Env.DATABASE}] [default: ({DEFAULT_DATABASE})]" in text
    assert f"[env var: {Env.TARGET}] [default: (duckdb)]" in text
    if command in ("run", "ingest"):
        assert f"[env var: {Env.BUCKET_URL}] [default: ({DEFAULT_BUCKET})]" in text


def test_an_option_reads_its_environment_variable(tmp_path):
    """The environment variable the help names is the one the option reads."""
    database = tmp_path / "elsewhere.duckdb"
    result = leads(["status"], {Env.DATABASE: str(database)})
    assert one_error_line(result.stderr) == f"error: no database at {database}: run `leads run` first"


def test_alerts_wrap_long_messages_and_never_cut_them(tmp_path, settings_for):
    settings = settings_for(tmp_path)
    words = [f"word{i:03d}" for i in range(120)]
    unbroken = "technical_exercise/source_1/" + "x" * 150 + ".csv"  # longer than the terminal
    message = " ".join(words) + " " + unbroken
    Alerter([TableSink(settings)], [], Redactor()).emit([Alert("schema_drift", "warning", message, source="s1")])
    result = CliRunner().invoke(
        app, ["alerts", "--database", str(settings.database)], env={"COLUMNS": "60", "NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.stderr
    assert "…" not in result.stdout.replace("ack ID…", "")  # the closing hint names "ID…"
    assert all(len(line) <= 60 for line in result.stdout.splitlines())
    shown = "".join(result.stdout.split())  # the message, whatever the line breaks
    assert "".join(message.split()) in shown


def test_acknowledging_an_unknown_alert_id_is_an_error_that_names_it(tmp_path, settings_for):
    settings = settings_for(tmp_path)
    Alerter([TableSink(settings)], [], Redactor()).emit([Alert("schema_drift", "warning", "drift", source="s1")])
    (known,) = [row[0] for row in duckdb_rows(settings, "SELECT alert_id FROM main_audit.alerts")]
    result = CliRunner().invoke(app, ["alerts", "ack", "nosuchid", known[:8], "--database", str(settings.database)])
    assert result.exit_code == 2
    assert "no alert has the id nosuchid" in result.stderr and "`leads alerts`" in result.stderr
    # nothing was acknowledged: the known id's alert is still open
    assert duckdb_rows(settings, "SELECT count(*) FROM main_audit.alerts WHERE acknowledged_at IS NULL") == [(1,)]
    done = CliRunner().invoke(app, ["alerts", "ack", known[:8], "--database", str(settings.database)])
    assert done.exit_code == 0 and "acknowledged 1 alert" in done.stdout


def duckdb_rows(settings, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(settings.database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_skipped_node_is_not_printed_as_built(monkeypatch):
    import io

    from rich.console import Console

    from leads_pipeline import cli
    from leads_pipeline.stages.transform.dbt import NodeResult

    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, width=200, color_system=None))
    cli._print_node(NodeResult("leads", "model", "skipped", message="skipped: int_leads__merged not built"))
    cli._print_node(NodeResult("file_loads", "model", "success", seconds=1.0))
    assert screen.getvalue().splitlines() == [
        "  model skip leads (0.0s) — skipped: int_leads__merged not built",
        "  model ok   file_loads (1.0s)",
    ]
