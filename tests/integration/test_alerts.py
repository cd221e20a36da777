"""Alerts from real runs: what each sink receives (console, table, the Apprise targets named by the
webhook settings), that a broken target never fails a run, that secrets never leave, and which
alerts stay open."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.errors import BucketError, ConfigError
from leads_pipeline.observe import alerts
from leads_pipeline.observe.alerts import Alert, Alerter, TableSink
from leads_pipeline.observe.redact import Redactor
from leads_pipeline.run import audit
from leads_pipeline.run.pipeline import Progress, execute
from leads_pipeline.stages.transform.dbt import NodeResult
from leads_pipeline.warehouse import Warehouse
from tests.conftest import REAL_FILES, copy_project
from tests.integration.test_ingest_real import read_records, write_records

SLACK_SECRET = "T0LOCAL/B0LOCAL/slackSECRETpart"
HOOK_SECRET = "hookSECRETtoken"


def troubled_bucket(bucket: Path) -> None:
    """The real bucket plus drift, a copy, an empty file and a file with many malformed records."""
    source_1 = bucket / REAL_FILES["source_1"]
    header, rows = read_records(source_1)
    drifted = ["Phone Number" if h == "Phone" else h for h in header] + ["Inspection Score"]
    write_records(source_1, drifted, [r + ["9"] for r in rows])
    shutil.copy(bucket / REAL_FILES["source_3"], bucket / "technical_exercise/source_3/source_3_copy.csv")
    (bucket / "technical_exercise/source_2/source_2_20241201.csv").write_bytes(b"")
    header, rows = read_records(bucket / REAL_FILES["source_3"])
    short = [r[:5] if i < 6 else r for i, r in enumerate(rows)]
    write_records(bucket / "technical_exercise/source_3/source_3_20241201.csv", header, short)


@pytest.fixture
def webhooks(monkeypatch, receiver):
    monkeypatch.setenv("LEADS_SLACK_WEBHOOK_URL", receiver.url(f"/services/{SLACK_SECRET}"))
    monkeypatch.setenv("LEADS_WEBHOOK_URL", receiver.url(f"/hook?token={HOOK_SECRET}"))
    return receiver


def stored_alerts(database: Path) -> list[dict]:
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute("SELECT * FROM main_audit.alerts ORDER BY raised_at, kind")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_every_sink_gets_the_alerts_of_an_ingestion(real_bucket, settings_for, webhooks):
    troubled_bucket(real_bucket)
    settings = settings_for(real_bucket)
    printed: list[str] = []
    report = execute(settings, "leads ingest", True, False, Progress(alert=lambda a: printed.append(a.line())))

    kinds = {(a.kind, a.source, (a.file or "").rsplit("/", 1)[-1]) for a in report.alerts}
    assert {
        ("schema_drift", "source_1", "source_1_20241101.csv"),
        ("refused_file", "source_2", "source_2_20241201.csv"),
        ("rejected_share", "source_3", "source_3_20241201.csv"),
        ("stale_source", "source_1", ""),
    } <= kinds
    assert ("duplicate_file", "source_3", "source_3_copy.csv") in kinds or (
        "duplicate_file",
        "source_3",
        "source_3_20241101.csv",
    ) in kinds

    # console: one line per alert, saying what to do
    assert len(printed) == len(report.alerts)
    drift = next(line for line in printed if "schema_drift" in line)
    assert "'Phone Number' -> phone" in drift and "inspection_score" in drift and "sources.yml" in drift
    refused = next(line for line in printed if "refused_file" in line)
    assert "empty (0 bytes)" in refused and "ask the agency" in refused
    share = next(line for line in printed if "rejected_share" in line)
    assert "6 of 29 records (20.7%)" in share and "LEADS_MAX_REJECTED_SHARE" in share

    # table: the same alerts, with the run that raised them
    table = stored_alerts(settings.database)
    assert {row["alert_id"] for row in table} == {a.alert_id for a in report.alerts}
    assert {row["run_id"] for row in table} == {report.run_id}
    drift_row = next(row for row in table if row["kind"] == "schema_drift")
    assert json.loads(drift_row["details"])["new_columns"] == ["inspection_score"]

    # Both webhook settings (http URLs no Apprise service claims): one Apprise JSON message each,
    # titled with the count, one line per alert, the worst first, of the type of the worst
    assert len(webhooks.requests) == 2
    for request in webhooks.requests:
        assert request.headers["Content-Type"] == "application/json"
        payload = request.json
        assert payload["title"].startswith(f"leads pipeline (leads.duckdb): {len(report.alerts)} alerts (1 error,")
        assert payload["type"] == "failure"
        lines = payload["message"].splitlines()
        assert sorted(lines) == sorted(printed)  # the console's lines, redacted alike
        assert lines[0].startswith("error refused_file source_2 technical_exercise/source_2/")
    assert {r.path.split("/")[1].split("?")[0] for r in webhooks.requests} == {"services", "hook"}
    hook = next(r for r in webhooks.requests if r.path.startswith("/hook"))
    assert hook.path == f"/hook?token={HOOK_SECRET}"  # the endpoint's own query reaches it

    # no secret anywhere: not in what was sent, stored or printed
    everything = webhooks.bodies() + json.dumps(table, default=str) + "\n".join(printed)
    assert "slackSECRETpart" not in json.dumps([r.json for r in webhooks.requests])
    assert HOOK_SECRET not in json.dumps([r.json for r in webhooks.requests])
    assert HOOK_SECRET not in everything.replace(f"token={HOOK_SECRET}", "")  # only the request line has it


def test_a_broken_or_slow_webhook_never_fails_the_run(real_bucket, settings_for, receiver, monkeypatch):
    monkeypatch.setenv("LEADS_SLACK_WEBHOOK_URL", receiver.url(f"/fail/{SLACK_SECRET}"))
    monkeypatch.setenv("LEADS_WEBHOOK_URL", receiver.url(f"/slow?token={HOOK_SECRET}"))
    monkeypatch.setenv("LEADS_WEBHOOK_TIMEOUT_SECONDS", "0.5")
    settings = settings_for(real_bucket)
    report = execute(settings, "leads ingest", True, False)
    assert report.files_loaded == 4
    failures = [row for row in stored_alerts(settings.database) if row["kind"] == "alert_delivery_failed"]
    assert sorted(row["message"].split(":")[0] for row in failures) == [
        "the alert target from LEADS_SLACK_WEBHOOK_URL did not take 4 alert(s)",
        "the alert target from LEADS_WEBHOOK_URL did not take 4 alert(s)",
    ]
    messages = " ".join(row["message"] for row in failures)
    assert "the JSON service refused the message" in messages and "no answer within 0.5 s" in messages
    assert "LEADS_SLACK_WEBHOOK_URL" in messages and "LEADS_WEBHOOK_URL" in messages
    assert receiver.base_url not in messages and SLACK_SECRET not in messages and HOOK_SECRET not in messages
    with duckdb.connect(str(settings.database), read_only=True) as con:
        assert con.execute("SELECT outcome FROM main_audit.runs").fetchall() == [("success",)]


def test_a_failed_run_is_alerted_and_recorded_without_its_secrets(tmp_path, settings_for, webhooks):
    # credentials written into the bucket URL end up in the error: they must not go further
    settings = settings_for(tmp_path).with_overrides(bucket_url="s3://AKIALOCAL:urlSECRETvalue@no-such-bucket")
    printed: list[str] = []
    with pytest.raises(ConfigError) as raised:
        execute(settings, "leads run", True, True, Progress(alert=lambda a: printed.append(a.line())))
    assert "urlSECRETvalue" not in str(raised.value) and "AKIALOCAL:***@" in str(raised.value)

    table = stored_alerts(settings.database)
    assert [(row["kind"], row["severity"]) for row in table] == [("run_failed", "error")]
    assert table[0]["message"].startswith("`leads run` failed: ")
    assert "s3://AKIALOCAL:***@no-such-bucket" in table[0]["message"]
    hook = next(r for r in webhooks.requests if r.path.startswith("/hook")).json
    assert hook["message"].startswith("error run_failed: `leads run` failed: ")
    assert "AKIALOCAL:***@" in hook["message"]
    with duckdb.connect(str(settings.database), read_only=True) as con:
        outcome, message = con.execute("SELECT outcome, message FROM main_audit.runs").fetchone()
    assert outcome == "failed" and "AKIALOCAL:***@" in message
    stored = json.dumps(table, default=str) + message + "\n".join(printed) + webhooks.bodies()
    assert "urlSECRETvalue" not in stored

    cli = CliRunner().invoke(app, ["ingest", "--bucket-url", settings.bucket_url, "--database", str(settings.database)])
    assert cli.exit_code == 2
    assert "error:" in cli.output and "urlSECRETvalue" not in cli.output and "AKIALOCAL:***@" in cli.output


@pytest.mark.slow  # builds the dbt project
def test_failed_data_tests_raise_alerts(real_bucket, settings_for, webhooks, tmp_path, monkeypatch):
    """A copy of the project with one failing data test: the run builds, and alerts name the test."""
    project = copy_project(tmp_path / "project")
    (project / "leads" / "tests").mkdir(exist_ok=True)
    (project / "leads" / "tests" / "assert_no_lead_without_phone.sql").write_text(
        "select * from {{ ref('leads') }} where phone is not null\n"
    )
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(project))
    settings = settings_for(real_bucket)
    report = execute(settings, "leads run", True, True)
    assert report.outcome == "tests_failed"
    failed = [a for a in report.alerts if a.kind == "tests_failed"]
    assert len(failed) == 1
    assert failed[0].message.startswith("data test assert_no_lead_without_phone failed (")
    assert "The tables are built" in failed[0].message
    hook = next(r for r in webhooks.requests if r.path.startswith("/hook") and "tests_failed" in r.body.decode()).json
    assert [line for line in hook["message"].splitlines() if "tests_failed" in line] == [failed[0].line()]


def test_transform_alerts_say_which_test_and_how_many_rows():
    node = NodeResult("not_null_leads_phone", "test", "fail", failures=3, message="Got 3 results, configured to fail")
    (alert,) = alerts.transform_alerts([node])
    assert alert.kind == "tests_failed" and alert.severity == "error"
    assert alert.message.startswith("data test not_null_leads_phone failed (3 failing rows): Got 3 results")


def test_secrets_are_redacted_wherever_they_hide():
    redact = Redactor.from_environment(
        extra=["https://hooks.example.invalid/services/T1/B2/abcdefSECRET"],
        urls=["postgresql://loader:pgPASSWORD@db.internal:5432/leads"],
        environ={
            "SOURCES__FILESYSTEM__CREDENTIALS__PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\\nMIIEabc\\n",
            "HOME": "/root",
        },
    )
    text = (
        "post to https://hooks.example.invalid/services/T1/B2/abcdefSECRET failed; "
        "connect postgresql://loader:pgPASSWORD@db.internal:5432/leads; "
        "s3://AKIAEXAMPLE:wJalrXUtnFEMIK7MDENG@bucket/x.csv; "
        "https://storage.example.invalid/f.csv?X-Amz-Signature=abc123&X-Amz-Credential=AKIA/1 "
        "key -----BEGIN PRIVATE KEY-----\nMIIEabc\n end"
    )
    out = redact(text)
    for secret in ("abcdefSECRET", "pgPASSWORD", "wJalrXUtnFEMIK7MDENG", "abc123", "MIIEabc"):
        assert secret not in out
    assert "postgresql://loader:***@db.internal:5432/leads" in out
    assert "X-Amz-Signature=***" in out and "/root" not in redact.secrets
    assert redact.value({"a": ["pgPASSWORD", 3], "b": None}) == {"a": ["***", 3], "b": None}


def _run(settings, steps: list[str], outcome: str, raised: list[Alert]) -> str:
    with Warehouse.open(settings) as warehouse:
        run_id, started = audit.start_run(warehouse, "test", steps)
    Alerter([TableSink(settings)], [], Redactor(), run_id).emit(raised)
    with Warehouse.open(settings) as warehouse:
        audit.finish_run(warehouse, run_id, started, outcome, 0, 0, None)
    return run_id


def test_open_alerts_close_when_a_later_run_checks_again_or_when_acknowledged(settings_for, tmp_path):
    settings = settings_for(tmp_path)
    stale = Alert("stale_source", "warning", "old", "source_1")
    drift = Alert("schema_drift", "warning", "new column", "source_1", "a.csv")
    failed_tests = Alert("tests_failed", "error", "data test x failed")
    _run(settings, ["ingest", "lookups", "transform"], "tests_failed", [stale, drift, failed_tests])
    _run(
        settings,
        ["ingest", "lookups"],
        "success",
        [Alert("schema_drift", "warning", "new column", "source_1", "a.csv")],
    )

    with Warehouse.open(settings) as warehouse:
        shown = alerts.open_alerts(warehouse)
    # freshness was checked again (and passed), tests were not run again, drift stays until acknowledged
    assert [(a.kind, a.occurrences) for a in shown] == [("tests_failed", 1), ("schema_drift", 2)]

    result = CliRunner().invoke(app, ["alerts", "ack", shown[1].alert_id[:8], "--database", str(settings.database)])
    assert result.exit_code == 0 and "acknowledged 2 alerts" in result.output
    _run(settings, ["transform"], "success", [])
    with Warehouse.open(settings) as warehouse:
        assert alerts.open_alerts(warehouse) == []


def test_status_shows_open_alerts_and_the_last_runs(real_bucket, settings_for):
    troubled_bucket(real_bucket)
    settings = settings_for(real_bucket)
    execute(settings, "leads ingest", True, False)
    with pytest.raises(BucketError):
        execute(settings.with_overrides(bucket_url="file:///no/such/bucket"), "leads ingest", True, False)
    result = CliRunner().invoke(app, ["status", "--database", str(settings.database)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "open alerts (" in out
    for kind in ("run_failed", "refused_file", "schema_drift", "rejected_share", "stale_source"):
        assert kind in out
    assert out.index("error   run_failed") < out.index("warning schema_drift")
    assert "source_2_20241201.csv: it is empty (0 bytes)" in out
    assert "last runs" in out and "failed" in out and "success" in out
    runs = out[out.index("last runs") :]
    assert runs.index("failed") < runs.index("success")  # newest first

    done = CliRunner().invoke(app, ["alerts", "ack", "--all", "--database", str(settings.database)])
    assert done.exit_code == 0
    again = CliRunner().invoke(app, ["alerts", "--database", str(settings.database)])
    assert "no open alerts" in again.output
