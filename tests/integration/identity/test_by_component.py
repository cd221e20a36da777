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


def resolved_at(warehouse: Warehouse) -> object:
    """When the identity tables were last written: a CRM change leaves every record's clusters."""
    return warehouse.query(
        "SELECT max(resolved_at) FROM (SELECT resolved_at FROM identity.record_clusters "
        "UNION ALL SELECT resolved_at FROM identity.crm_matches) AS written"
    )[0][0]


# One change per input of the resolve step, each to a column it reads.
INPUT_CHANGES = {
    "records": "UPDATE main_intermediate.int_source_records__current SET zip = '00000' "
    "WHERE record_index = (SELECT min(left_index) FROM main_intermediate.int_record_pairs__blocked)",
    "name keys": "UPDATE main_intermediate.int_match_keys__collected SET key_value = key_value || ' x' "
    "WHERE key_type = 'name' AND record_index = (SELECT min(record_index) FROM main_intermediate.int_match_keys__collected)",
    "pairs": "DELETE FROM main_intermediate.int_record_pairs__blocked "
    "WHERE left_index = (SELECT min(left_index) FROM main_intermediate.int_record_pairs__blocked)",
    "CRM leads": "UPDATE main_intermediate.int_crm_leads__current SET name_key = 'renamed' "
    "WHERE crm_index = (SELECT min(crm_index) FROM main_intermediate.int_crm_pairs__blocked)",
    "CRM pairs": "DELETE FROM main_intermediate.int_crm_pairs__blocked "
    "WHERE crm_index = (SELECT min(crm_index) FROM main_intermediate.int_crm_pairs__blocked)",
}


@pytest.mark.parametrize("changed", [None, *INPUT_CHANGES], ids=["nothing", *INPUT_CHANGES])
def test_the_identity_tables_are_kept_until_an_input_changes(
    history_bucket: Path, history_db: Path, tmp_path: Path, changed: str | None
):
    database = tmp_path / "leads.duckdb"
    shutil.copy(history_db, database)
    with Warehouse.open(settings_at(history_bucket, database)) as warehouse:
        first = by_component.resolve_identities(warehouse, force=True)
        rows, stamp = identity_rows(warehouse), resolved_at(warehouse)
        if changed:
            assert warehouse.query(f"{INPUT_CHANGES[changed]} RETURNING 1"), "the change touched no row"
        again = by_component.resolve_identities(warehouse)
        assert again.kept is (changed is None)
        assert (resolved_at(warehouse) == stamp) is (changed is None)
        if changed is None:
            assert identity_rows(warehouse) == rows
            assert (again.leads, again.merged_records, again.crm_matches) == (
                first.leads,
                first.merged_records,
                first.crm_matches,
            )
            forced = by_component.resolve_identities(warehouse, force=True)
            assert not forced.kept and resolved_at(warehouse) > stamp
