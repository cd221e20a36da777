"""On generated agency data, the resolve step by component writes what the whole-graph resolve does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leads_pipeline.stages.identity import by_component
from leads_pipeline.warehouse import Warehouse
from tests.integration.identity.conftest import settings_at
from tests.unit.identity.test_by_component import COMPARED, identity_rows, resolve_whole_graph

pytestmark = pytest.mark.slow  # builds the dbt project


def test_the_component_resolve_equals_the_whole_graph_on_the_history_bucket(
    history_bucket: Path, history_db: Path, tmp_path: Path, monkeypatch
):
    database = tmp_path / "leads.duckdb"
    shutil.copy(history_db, database)
    with Warehouse.open(settings_at(history_bucket, database)) as warehouse:
        expected_report = resolve_whole_graph(warehouse)
        expected = identity_rows(warehouse)
        monkeypatch.setattr(by_component, "BATCH_RECORDS", 100)
        monkeypatch.setattr(by_component, "CRM_BATCH_LEADS", 50)
        report = by_component.resolve_identities(warehouse)
        assert identity_rows(warehouse) == expected

    assert {name: getattr(report, name) for name in COMPARED} == {
        name: getattr(expected_report, name) for name in COMPARED
    }
    # The generated data has both kinds: sister sites and respelled names need Python, the rest not.
    assert report.components_in_sql > 0 and report.components_in_python > 0
    assert report.contradicting_pairs > 0 and report.names_scored > 0 and report.crm_matches > 0
    assert report.python_records_peak < 100 + report.largest_component
