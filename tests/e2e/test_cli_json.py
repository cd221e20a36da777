"""`--json` on `leads run`, `leads status` and `leads alerts`: stdout is one JSON document whose
values are the database's; and a CLI run shows in Dagster's asset catalog as materializations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from leads_pipeline.config.settings import Env, Settings
from leads_pipeline.observe.alerts import open_alerts
from leads_pipeline.warehouse import Warehouse
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

RUN_KEYS = {
    "command",
    "database",
    "run_id",
    "outcome",
    "seconds",
    "files_loaded",
    "rows_loaded",
    "files",
    "transform",
    "alerts",
    "gold",
    "report",
}
STATUS_KEYS = {"database", "running", "alerts", "sources", "files", "files_total", "runs", "gold"}


def leads_json(args: list[str], env: dict[str, str]) -> tuple[dict, str]:
    """Run the installed `leads` with --json: the document on stdout (which must be nothing
    else) and stderr."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("leads")), *args, "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr  # raises unless stdout is exactly one document


@pytest.fixture(scope="module")
def cli_run(real_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_json")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEADS_")},
        "NO_COLOR": "1",
        "DAGSTER_HOME": str(folder / "dagster"),
        Env.DAGSTER_CATALOG: "on",
        Env.DATABASE: str(folder / "leads.duckdb"),
        Env.BUCKET_URL: str(real_dir),
    }
    document, stderr = leads_json(["run"], env)
    return env, document, stderr, Settings.load(bucket_url=str(real_dir), database=folder / "leads.duckdb")


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_run_json_is_the_database_s_account_of_the_run(cli_run):
    _env, run, stderr, settings = cli_run
    assert set(run) == RUN_KEYS
    assert "loaded" in stderr  # progress went to stderr
    [(run_id, outcome, files, rows)] = query(
        settings, "SELECT run_id, outcome, files_loaded, rows_loaded FROM main_audit.runs"
    )
    assert (run["run_id"], run["outcome"], run["files_loaded"], run["rows_loaded"]) == (run_id, outcome, files, rows)
    ledger = dict(query(settings, "SELECT file_name, rows_loaded FROM raw.ingested_files WHERE status = 'loaded'"))
    assert {Path(f["file"]).name: f["rows"] for f in run["files"] if f["status"] == "loaded"} == ledger
    assert run["gold"] == {
        "leads": query(settings, "SELECT count(*) FROM main_gold.leads")[0][0],
        "data_quality_issues": query(settings, "SELECT count(*) FROM main_gold.data_quality_issues")[0][0],
    }
    assert run["transform"]["failed_tests"] == [] and run["transform"]["models"] > 0
    assert Path(run["report"]).is_file()
    stored = {row[0] for row in query(settings, f"SELECT alert_id FROM main_audit.alerts WHERE run_id = '{run_id}'")}
    assert {a["alert_id"] for a in run["alerts"]} == stored


def test_status_json_matches_the_database(cli_run):
    env, run, _stderr, settings = cli_run
    status, _ = leads_json(["status"], env)
    assert set(status) == STATUS_KEYS
    assert status["running"] is None and status["database"] == str(settings.database)
    per_source = dict(
        query(settings, "SELECT source, sum(rows_loaded) FROM raw.ingested_files WHERE status = 'loaded' GROUP BY 1")
    )
    assert {s["source"]: s["rows"] for s in status["sources"]} == per_source
    assert status["files_total"] == query(settings, "SELECT count(*) FROM raw.ingested_files")[0][0]
    assert [(r["run_id"], r["outcome"]) for r in status["runs"]] == [(run["run_id"], "success")]
    assert status["gold"] == run["gold"]
    with Warehouse.open(settings, read_only=True) as warehouse:
        open_ids = {a.alert_id for a in open_alerts(warehouse, settings.alerts.window_days)}
    assert {a["alert_id"] for a in status["alerts"]} == open_ids


def test_alerts_json_lists_the_open_alerts_in_full(cli_run):
    env, _run, _stderr, settings = cli_run
    listed, _ = leads_json(["alerts"], env)
    assert set(listed) == {"alerts"}
    with Warehouse.open(settings, read_only=True) as warehouse:
        expected = {a.alert_id: a.message for a in open_alerts(warehouse, settings.alerts.window_days)}
    assert expected  # the real files are from 2024: their sources are stale
    assert {a["alert_id"]: a["message"] for a in listed["alerts"]} == expected
    assert set(listed["alerts"][0]) == {
        "alert_id",
        "raised_at",
        "kind",
        "severity",
        "source",
        "file",
        "message",
        "occurrences",
    }


def test_a_cli_run_shows_in_dagster_s_asset_catalog(cli_run):
    env, run, _stderr, _settings = cli_run
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["main_gold", "leads"]))
        staging = instance.get_latest_materialization_event(dg.AssetKey(["main_staging", "stg_source_1__facilities"]))
    assert event is not None and staging is not None
    assert event.asset_materialization.metadata["leads/run_id"].value == run["run_id"]
