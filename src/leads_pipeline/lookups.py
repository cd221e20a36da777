"""Parse the raw values SQL cannot parse exactly, into lookup tables staging joins.

US addresses, person names, phones and facility-name keys are parsed in Python with libraries
made for them (usaddress, nameparser, phonenumbers, rapidfuzz). Each lookup table maps a distinct
raw value to its parsed columns and a `problem`; only values not seen before are parsed, so a
re-run costs nothing and a new month costs its new values. The tables live in the warehouse
(schema `lookup`), which keeps the dbt models plain SQL on every engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from leads_pipeline import faults, normalize
from leads_pipeline.registry import Registry
from leads_pipeline.warehouse import Warehouse

LOOKUP_SCHEMA = "lookup"
RAW_SCHEMA = "raw"
BATCH_VALUES = 200_000


@dataclass(frozen=True)
class Lookup:
    name: str
    parse: Callable[[list[str]], pa.Table]


LOOKUPS = {
    lookup.name: lookup
    for lookup in (
        Lookup("phones", normalize.phones_table),
        Lookup("one_line_addresses", normalize.one_line_addresses_table),
        Lookup("street_lines", normalize.street_lines_table),
        Lookup("people", normalize.people_table),
        Lookup("caregivers", normalize.caregivers_table),
        Lookup("licensees", normalize.licensees_table),
        Lookup("facility_names", normalize.name_keys_table),
    )
}


def refresh_lookups(
    warehouse: Warehouse, registry: Registry, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Parse every raw value not yet in its lookup table; return new values per lookup."""
    warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {LOOKUP_SCHEMA}")
    added: dict[str, int] = {}
    for lookup in LOOKUPS.values():
        feeds = [
            (spec.table_name, column)
            for spec in registry
            for column in spec.parse.get(lookup.name, ())
            if column in warehouse.columns(RAW_SCHEMA, spec.table_name)
        ]
        empty = lookup.parse([])
        warehouse.create_table_like(LOOKUP_SCHEMA, lookup.name, empty.schema)
        added[lookup.name] = 0
        if not feeds:
            continue
        union = " UNION ".join(f'SELECT "{column}" AS raw_value FROM {RAW_SCHEMA}.{table}' for table, column in feeds)
        new_values = warehouse.query(
            f"SELECT DISTINCT raw_value FROM ({union}) AS feeds WHERE raw_value IS NOT NULL "
            f"AND raw_value NOT IN (SELECT raw_value FROM {LOOKUP_SCHEMA}.{lookup.name} WHERE raw_value IS NOT NULL)"
        )
        values = [row[0] for row in new_values]
        for start in range(0, len(values), BATCH_VALUES):
            batch = values[start : start + BATCH_VALUES]
            if progress:
                progress(f"parsing {lookup.name}: {start + len(batch):,} of {len(values):,} new values")
            warehouse.append_arrow(LOOKUP_SCHEMA, lookup.name, lookup.parse(batch))
        added[lookup.name] = len(values)
        faults.reached(f"lookups:after-table:{lookup.name}")
    return added
