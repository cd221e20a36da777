"""The Dagster definitions: they load offline, materialize the whole graph in-process on the real
files with the dbt tests as checks, and the sensor and schedule behave."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.settings import Settings
from leads_pipeline.orchestration.location import JOB_NAME, build_definitions
from leads_pipeline.orchestration.triggers import SENSOR_NAME, daily_schedule
from leads_pipeline.run.pipeline import execute
from tests.conftest import DEMO_BUCKET, REAL_FILES, copy_project
from tests.integration.identity.test_load_order import contents
from tests.integration.identity.test_rule_change import NEW_RULE, OLD_RULE, RULE_FILE

pytestmark = pytest.mark.slow

SINGULAR_TEST = "assert_lead_ids_are_unique"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the project with one more data test on main_gold.leads, to see checks run."""
    copy = copy_project(tmp_path / "project")
    (copy / "leads" / "tests").mkdir(exist_ok=True)
    (copy / "leads" / "tests" / f"{SINGULAR_TEST}.sql").write_text(
        "select lead_id from {{ ref('leads') }} group by lead_id having count(*) > 1\n"
    )
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(copy))
    return copy


def test_the_whole_graph_materializes_in_process(project: Path, real_bucket: Path, tmp_path: Path):
    settings = Settings.load(bucket_url=str(real_bucket), database=tmp_path / "leads.duckdb")
    defs = build_definitions(settings)
    job = defs.get_job_def(JOB_NAME)
    graph = defs.get_repository_def().asset_graph

    # the graph follows the data: bucket -> raw -> lookup -> staging -> intermediate -> gold
    def parents(key: str) -> set[str]:
        return {k.to_user_string() for k in graph.get(dg.AssetKey.from_user_string(key)).parent_keys}

    assert parents("raw/source_1_raw") == {"bucket/source_1"}
    assert {"raw/source_2_raw", "lookup/phones"} <= parents("main_staging/stg_source_2__facilities")
    assert "raw/source_2_raw" in parents("lookup/phones")
    assert any(p.startswith("main_intermediate/") for p in parents("main_gold/leads"))
    assert "main_intermediate/int_record_pairs__blocked" in parents("identity/record_clusters")
    assert "identity/record_clusters" in parents("main_intermediate/int_source_records__clustered")

    with dg.DagsterInstance.ephemeral() as instance:
        sensor = defs.get_sensor_def(SENSOR_NAME)
        before = sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(before, dg.RunRequest)
        assert before.tags["leads/new_files"] == "4" and before.tags["leads/writer"] == "leads"

        result = job.execute_in_process(instance=instance)
        assert result.success

        materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
        assert {"raw/source_1_raw", "raw/salesforce_raw", "raw/ingested_files", "lookup/phones"} <= materialized
        assert {"identity/record_clusters", "identity/crm_matches"} <= materialized
        assert {
            "main_staging/stg_source_3__facilities",
            "main_gold/leads",
            "main_gold/data_quality_issues",
        } <= materialized
        checks = result.get_asset_check_evaluations()
        assert [
            (c.asset_key.to_user_string(), c.check_name, c.passed) for c in checks if c.check_name == SINGULAR_TEST
        ] == [("main_gold/leads", SINGULAR_TEST, True)]
        assert all(c.passed for c in checks)

        after = sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(after, dg.SkipReason) and "no new file among 4" in after.skip_message

        extra = real_bucket / REAL_FILES["source_3"]
        shutil.copy(extra, extra.with_name("source_3_20241201.csv"))
        again = sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(again, dg.RunRequest) and again.tags["leads/sources"] == "source_3"
        assert again.run_key != before.run_key

    # the job writes the report as `leads run` does, with the leads it built
    page = settings.report_path.read_text(encoding="utf-8")
    assert "127" in page and "<script" in page

    with duckdb.connect(str(settings.database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM main_gold.leads").fetchone()[0] == 127
        runs = con.execute("SELECT command, outcome, steps FROM main_audit.runs ORDER BY started_at").fetchall()
    assert [(c.split(" (run")[0], o, s) for c, o, s in runs] == [
        ("dagster ingest", "success", "ingest"),
        ("dagster lookups", "success", "lookups"),
        ("dagster transform staging+intermediate", "success", "transform"),
        ("dagster identity", "success", "transform"),
        ("dagster transform gold", "success", "transform"),
    ]


def test_after_a_rule_change_the_dagster_job_builds_what_leads_run_builds(project: Path, tmp_path: Path):
    # Built once with the old rule; the rule changes; the Dagster job builds again.
    database = tmp_path / "changed.duckdb"
    settings = Settings.load(bucket_url=str(DEMO_BUCKET), database=database)
    execute(settings, "leads run", True, True)
    rule = project / RULE_FILE
    rule.write_text(rule.read_text().replace(OLD_RULE, NEW_RULE))
    with dg.DagsterInstance.ephemeral() as instance:
        assert build_definitions(settings).get_job_def(JOB_NAME).execute_in_process(instance=instance).success

    fresh = Settings.load(bucket_url=str(DEMO_BUCKET), database=tmp_path / "fresh.duckdb")
    execute(fresh, "leads run", True, True)
    assert contents(database) == contents(fresh.database)
    with duckdb.connect(str(database)) as con:
        mixed = con.execute(
            "SELECT count(*) FROM main_gold.leads WHERE sources = 'source_1' AND company <> upper(company)"
        ).fetchone()[0]
        # The job stamped its build: a run with nothing new skips the transform.
    assert mixed == 0
    assert execute(settings, "leads run", True, True).transform_skipped


def test_the_code_location_loads_from_the_environment(real_bucket: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LEADS_BUCKET_URL", str(real_bucket))
    monkeypatch.setenv("LEADS_DATABASE", str(tmp_path / "leads.duckdb"))
    sys.modules.pop("leads_pipeline.orchestration.definitions", None)  # build it under this environment
    defs = importlib.import_module("leads_pipeline.orchestration.definitions").defs
    dg.Definitions.validate_loadable(defs)
    assert defs.get_job_def(JOB_NAME).name == JOB_NAME
    assert {s.name for s in defs.schedules} == {"leads_daily"} and {s.name for s in defs.sensors} == {SENSOR_NAME}


def test_the_schedule_follows_the_settings(tmp_path: Path, monkeypatch):
    job = dg.define_asset_job(JOB_NAME)
    monkeypatch.setenv("LEADS_SCHEDULE_CRON", "30 2 * * 1")
    monkeypatch.setenv("LEADS_SCHEDULE_TIMEZONE", "America/Chicago")
    schedule = daily_schedule(Settings.load(database=tmp_path / "leads.duckdb"), job)
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 2 * * 1", "America/Chicago")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.tags == {"leads/writer": "leads"}

    monkeypatch.delenv("LEADS_SCHEDULE_CRON")
    assert daily_schedule(Settings.load(database=tmp_path / "leads.duckdb"), job).cron_schedule == "0 6 * * *"

    monkeypatch.setenv("LEADS_SCHEDULE_CRON", "every day")
    with pytest.raises(ConfigError, match="LEADS_SCHEDULE_CRON='every day'"):
        daily_schedule(Settings.load(database=tmp_path / "leads.duckdb"), job)
