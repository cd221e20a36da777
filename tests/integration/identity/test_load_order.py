"""Snapshots loaded month by month, out of order, or all at once give the same tables, and lead
ids survive new months and re-runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DEMO_BUCKET
from tests.integration.identity.conftest import copy_snapshots, query, run_pipeline

pytestmark = pytest.mark.slow  # builds the dbt project

# Columns that say when, not what: a load's time and id differ between two warehouses.
TABLES = {
    "main_gold.leads": "*",
    "main_gold.lead_changes": "* EXCLUDE (compared_at)",
    "main_gold.file_loads": "* EXCLUDE (loaded_at, load_id)",
    "identity.record_clusters": "* EXCLUDE (resolved_at)",
    "identity.crm_matches": "* EXCLUDE (resolved_at)",
}


def contents(database: Path) -> dict[str, list[tuple]]:
    return {
        table: sorted(query(database, f"SELECT {columns} FROM {table}"), key=repr) for table, columns in TABLES.items()
    }


def lead_of_record(database: Path) -> dict[tuple[str, str], str]:
    rows = query(database, "SELECT source, natural_key, lead_id FROM identity.record_clusters")
    return {(source, key): lead for source, key, lead in rows}


@pytest.fixture(scope="module")
def month_by_month(tmp_path_factory, demo_days) -> dict:
    """The demo loaded one month per run, then run once more with no new file; the lead ids
    after the first month and the tables before the last run are kept."""
    bucket = tmp_path_factory.mktemp("monthly_bucket")
    database = tmp_path_factory.mktemp("monthly_db") / "leads.duckdb"
    copy_snapshots(DEMO_BUCKET, bucket, demo_days[:1])
    run_pipeline(bucket, database, with_tests=False)
    first_month = lead_of_record(database)
    for day in demo_days[1:]:
        copy_snapshots(DEMO_BUCKET, bucket, [day])
        run_pipeline(bucket, database, with_tests=False)
    before_rerun = contents(database)
    run_pipeline(bucket, database, with_tests=False)
    return {"database": database, "first_month": first_month, "before_rerun": before_rerun}


@pytest.fixture(scope="module")
def latest_first(tmp_path_factory, demo_days) -> Path:
    """The demo's latest month loaded first, the older ones in a later run."""
    bucket = tmp_path_factory.mktemp("late_bucket")
    database = tmp_path_factory.mktemp("late_db") / "leads.duckdb"
    copy_snapshots(DEMO_BUCKET, bucket, demo_days[-1:])
    run_pipeline(bucket, database, with_tests=False)
    copy_snapshots(DEMO_BUCKET, bucket, demo_days[:-1])
    run_pipeline(bucket, database, with_tests=False)
    return database


def test_month_by_month_gives_the_tables_of_one_run(month_by_month, demo_in_one_run):
    assert month_by_month["before_rerun"] == contents(demo_in_one_run)


def test_a_late_older_snapshot_gives_the_tables_of_loading_in_order(latest_first, demo_in_one_run):
    assert contents(latest_first) == contents(demo_in_one_run)


def test_a_new_month_keeps_every_lead_id_or_records_what_replaced_it(month_by_month):
    database, first_month = month_by_month["database"], month_by_month["first_month"]
    now = lead_of_record(database)
    retired = dict(query(database, "SELECT lead_id, replaced_by_lead_id FROM identity.retired_lead_ids"))
    kept = [key for key, lead in first_month.items() if now[key] == lead]
    moved = [key for key, lead in first_month.items() if now[key] != lead]
    assert len(kept) > 0.99 * len(first_month)
    for key in moved:
        # The record's old lead merged into an older one: its id is retired and points to the new lead.
        assert retired.get(first_month[key]) == now[key]


def test_a_rerun_without_new_files_changes_nothing(month_by_month):
    assert contents(month_by_month["database"]) == month_by_month["before_rerun"]
