"""A changed staging rule recomputes the history: the tables equal a fresh build with the new rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DEMO_BUCKET, copy_project
from tests.integration.identity.conftest import query, run_pipeline
from tests.integration.identity.test_load_order import contents

pytestmark = pytest.mark.slow  # builds the dbt project

RULE_FILE = Path("leads/models/staging/source_1/stg_source_1__facilities.sql")
OLD_RULE = "coalesce(facility_names.repaired, {{ clean_text('source.name') }}) as company,"
NEW_RULE = "upper(coalesce(facility_names.repaired, {{ clean_text('source.name') }})) as company,"


def test_a_changed_staging_rule_recomputes_what_it_computed(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(project))
    rule = project / RULE_FILE
    assert OLD_RULE in rule.read_text()

    database = tmp_path / "changed.duckdb"
    run_pipeline(DEMO_BUCKET, database, with_tests=False)
    rule.write_text(rule.read_text().replace(OLD_RULE, NEW_RULE))
    run_pipeline(DEMO_BUCKET, database, with_tests=False)
    fresh = tmp_path / "fresh.duckdb"
    run_pipeline(DEMO_BUCKET, fresh, with_tests=False)

    assert contents(database) == contents(fresh)
    # Nevada's names were mixed case in the first build: the change reached the leads.
    lower = "SELECT count(*) FROM main_gold.leads WHERE sources = 'source_1' AND company <> upper(company)"
    assert query(database, lower)[0][0] == 0
    updates = "SELECT count(*) FROM main_gold.lead_changes WHERE changed_columns LIKE '%company%'"
    assert query(database, updates)[0][0] == query(fresh, updates)[0][0]
