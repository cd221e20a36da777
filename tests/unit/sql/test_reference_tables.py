"""Tables the dbt project and the Python code share stay equal."""

from __future__ import annotations

import csv
import re

from leads_pipeline.stages.lookups.parsers._usps import STATES
from leads_pipeline.stages.lookups.refresh import LOOKUPS
from tests.unit.sql.conftest import DBT_PROJECT


def test_us_states_seed_is_the_address_parsers_table():
    with (DBT_PROJECT / "seeds" / "us_states.csv").open(newline="", encoding="utf-8") as handle:
        seed = {row["spelling"]: row["state_code"] for row in csv.DictReader(handle)}
    assert seed == dict(STATES)


def test_lookup_columns_macro_lists_the_columns_python_writes():
    macro = (DBT_PROJECT / "macros" / "lookups.sql").read_text(encoding="utf-8")
    body = macro[macro.index("macro lookup_columns") : macro.index("endmacro")]
    declared = {
        name: re.findall(r"'(\w+)'", columns) for name, columns in re.findall(r"'(\w+)': \[(.*?)\]", body, re.DOTALL)
    }
    written = {name: lookup.parse([]).schema.names for name, lookup in LOOKUPS.items()}
    assert declared == written


def test_facility_types_seed_covers_each_lead_source_with_known_types():
    with (DBT_PROJECT / "seeds" / "facility_types.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["source"] for row in rows} == {"source_1", "source_2", "source_3"}
    assert {row["facility_type"] for row in rows} == {"center", "home", "other"}
    assert all(row["license_type"] == row["license_type"].upper().strip() for row in rows)
