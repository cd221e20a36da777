"""The digest that lets a run keep the identity tables covers every column the resolve step reads."""

from __future__ import annotations

import pytest

from leads_pipeline.stages.identity import by_component
from leads_pipeline.stages.identity.resolved_inputs import READ_COLUMNS


def digested(table: str) -> set[str]:
    return {column.strip() for column in READ_COLUMNS[table][0].split(",")}


@pytest.mark.parametrize(
    ("table", "read"),
    [
        ("int_source_records__current", by_component.RECORD_COLUMNS),
        ("int_record_pairs__blocked", by_component.PAIR_COLUMNS),
        ("int_crm_leads__current", by_component.CRM_LEAD_COLUMNS),
        ("int_crm_pairs__blocked", ["crm_index", "record_index", *by_component.SHARED_KEYS]),
    ],
)
def test_every_column_the_step_reads_is_in_the_digest(table, read):
    assert set(read) <= digested(table)
