"""The README's first command, end to end: `leads run` on the embedded demo bucket."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import DEMO_BUCKET, PROJECT_ROOT

pytestmark = pytest.mark.slow  # builds the dbt project

CONTRACT_COLUMNS = [
    "lead_id",
    "accepts_financial_aid",
    "ages_served",
    "capacity",
    "certificate_expiration_date",
    "city",
    "address1",
    "address2",
    "company",
    "phone",
    "phone2",
    "county",
    "curriculum_type",
    "email",
    "first_name",
    "last_name",
    "language",
    "license_status",
    "license_issued",
    "license_number",
    "license_renewed",
    "license_type",
    "licensee_name",
    "min_age",
    "max_age",
    "operator",
    "provider_id",
    "schedule",
    "state",
    "title",
    "website_address",
    "zip",
    "facility_type",
    "sources",
    "source_record_count",
    "match_rule",
    "first_seen_date",
    "last_seen_date",
    "is_active",
    "salesforce_lead_id",
    "salesforce_status",
    "salesforce_created_date",
    "salesforce_last_activity_date",
    "salesforce_is_converted",
    "is_net_new",
    "phone_extension",
    "licenses",
]


def leads(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "leads_pipeline.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_leads_run_on_the_demo_bucket(tmp_path):
    database = tmp_path / "leads.duckdb"
    env = {**os.environ, "LEADS_DATABASE": str(database)}
    env.pop("LEADS_BUCKET_URL", None)
    result = leads("run", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "main_gold.leads" in result.stdout
    with duckdb.connect(str(database), read_only=True) as con:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main_gold' "
                "AND table_name = 'leads' ORDER BY ordinal_position"
            ).fetchall()
        ]
        assert columns == CONTRACT_COLUMNS
        raw_files = con.execute("SELECT count(*) FROM raw.ingested_files WHERE status = 'loaded'").fetchone()[0]
        assert raw_files == len([p for p in DEMO_BUCKET.rglob("*.csv") if "_truth" not in p.parts])
        # every source record ever seen (any snapshot) belongs to exactly one lead
        records = con.execute("""
            SELECT count(*) FROM (
                SELECT DISTINCT source, natural_key FROM main_intermediate.int_source_records__unioned
                WHERE natural_key IS NOT NULL
            ) AS seen
        """).fetchone()[0]
        merged = con.execute("SELECT sum(source_record_count) FROM main_gold.leads").fetchone()[0]
        assert records > 0 and merged == records
        assert (
            con.execute("""
            SELECT count(*) FROM main_intermediate.int_source_records__clustered
            GROUP BY source, natural_key HAVING count(DISTINCT lead_id) > 1
        """).fetchall()
            == []
        )
        assert con.execute("SELECT count(*) - count(DISTINCT lead_id) FROM main_gold.leads").fetchone()[0] == 0
        # records were merged, and facilities dropped from every source stay as inactive leads
        assert con.execute("SELECT count(*) FROM main_gold.leads WHERE source_record_count > 1").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM main_gold.leads WHERE NOT is_active").fetchone()[0] > 0
        # a merged lead lists the licence of each of its records (the natural key is the licence number)
        assert (
            con.execute(
                "SELECT count(*) FROM main_gold.leads WHERE len(string_split(licenses, ',')) <> source_record_count"
            ).fetchone()[0]
            == 0
        )

    status = leads("status", env=env)
    assert status.returncode == 0
    assert "leads run" in status.stdout and "success" in status.stdout


def test_a_missing_bucket_exits_non_zero_with_one_line(tmp_path):
    env = {**os.environ, "LEADS_DATABASE": str(tmp_path / "x.duckdb"), "LEADS_BUCKET_URL": str(tmp_path / "nope")}
    result = leads("ingest", env=env)
    assert result.returncode == 3
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_original_entry_points_still_work(tmp_path):
    """`uv run dlt_pipeline/leads_to_duckdb.py`, then `dbt run -s leads`, then query the leads."""
    database = tmp_path / "leads.duckdb"
    env = {**os.environ, "LEADS_DATABASE": str(database)}
    env.pop("LEADS_BUCKET_URL", None)
    loaded = subprocess.run(
        [sys.executable, "dlt_pipeline/leads_to_duckdb.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbt.cli.main",
            "run",
            "--project-dir",
            "leads",
            "--profiles-dir",
            "leads",
            "-s",
            "leads",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        records = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT source, natural_key FROM main_intermediate.int_source_records__unioned "
            "WHERE natural_key IS NOT NULL)"
        ).fetchone()[0]
        leads, merged = con.execute("SELECT count(*), sum(source_record_count) FROM main_gold.leads").fetchone()
    # without the identity step each record stands alone, and none is lost
    assert records > 0 and leads == merged == records
