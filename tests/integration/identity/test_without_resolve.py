"""dbt alone (the seed's `dbt run`) builds the marts without the resolve step: one lead per record,
with the id the record has when it anchors a resolved lead."""

from __future__ import annotations

import hashlib

import pytest

from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.transform.dbt import run_dbt
from leads_pipeline.stages.transform.phases import run_transform
from tests.conftest import DEMO_BUCKET
from tests.integration.identity.conftest import query, settings_at

pytestmark = pytest.mark.slow  # builds the dbt project


def test_marts_build_without_the_identity_tables_and_keep_anchor_ids(tmp_path):
    settings = settings_at(DEMO_BUCKET, tmp_path / "leads.duckdb")
    execute(settings, "leads ingest", do_ingest=True, do_transform=False)
    run_dbt(settings, ["build", "--exclude-resource-type", "test", "unit_test"])

    records = query(settings.database, "SELECT source, natural_key FROM main_intermediate.int_source_records__current")
    leads = query(settings.database, "SELECT lead_id, source_record_count, match_rule, is_net_new FROM main_gold.leads")
    assert len(leads) == len(records)
    assert {(count, rule, net_new) for _, count, rule, net_new in leads} == {(1, None, True)}
    own_id = {hashlib.md5(f"{s}:{k}".encode()).hexdigest(): (s, k) for s, k in records}
    assert {lead for lead, *_ in leads} == set(own_id)

    run_transform(settings, with_tests=False)
    anchors = query(
        settings.database,
        "SELECT lead_id, source, natural_key FROM identity.record_clusters WHERE is_anchor",
    )
    assert all(own_id[lead] == (source, key) for lead, source, key in anchors)
    assert query(settings.database, "SELECT count(*) FROM main_gold.leads")[0][0] == len(anchors) < len(records)
