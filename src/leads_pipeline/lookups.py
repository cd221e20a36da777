"""Parse the raw values SQL cannot parse exactly, into lookup tables staging joins.

US addresses, person names, phones and facility-name keys are parsed in Python with libraries
made for them (usaddress, nameparser, phonenumbers, rapidfuzz). Each lookup table maps a distinct
raw value to its parsed columns and a `problem`; only values not seen before are parsed, so a
re-run costs nothing and a new month costs its new values. The tables live in the warehouse
(schema `lookup`), which keeps the dbt models plain SQL on every engine.

Only raw rows of loads not yet looked at are read (`lookup.processed_loads` keeps the load ids
done), so the cost follows the new files, not all history. Large batches of new values are
parsed on every core.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

import pyarrow as pa

from leads_pipeline import normalize
from leads_pipeline.registry import Registry
from leads_pipeline.warehouse import Warehouse

LOOKUP_SCHEMA = "lookup"
RAW_SCHEMA = "raw"
PROCESSED_TABLE = "processed_loads"
LOADS_TABLE = "_dlt_loads"
BATCH_VALUES = 200_000
PARALLEL_CHUNK = 20_000  # values per task handed to a worker process
PARALLEL_MIN_VALUES = 50_000  # below this, starting workers costs more than it saves
PROCESSED_SCHEMA = pa.schema([("load_id", pa.string())])


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


def pending_loads(warehouse: Warehouse) -> list[str] | None:
    """Load ids in `raw` whose values were not looked up yet; None when every row must be read."""
    if not warehouse.table_exists(LOOKUP_SCHEMA, PROCESSED_TABLE) or not warehouse.table_exists(
        RAW_SCHEMA, LOADS_TABLE
    ):
        return None
    rows = warehouse.query(
        f"SELECT load_id FROM {RAW_SCHEMA}.{LOADS_TABLE} WHERE load_id NOT IN "
        f"(SELECT load_id FROM {LOOKUP_SCHEMA}.{PROCESSED_TABLE}) ORDER BY load_id"
    )
    return [r[0] for r in rows]


def _all_loads(warehouse: Warehouse) -> list[str]:
    if not warehouse.table_exists(RAW_SCHEMA, LOADS_TABLE):
        return []
    return [r[0] for r in warehouse.query(f"SELECT load_id FROM {RAW_SCHEMA}.{LOADS_TABLE}")]


@contextmanager
def _workers(enabled: bool) -> Iterator[Executor | None]:
    """A pool of parser processes, one per core, when there is enough to parse."""
    cores = os.cpu_count() or 1
    if not enabled or cores < 2:
        yield None
        return
    with ProcessPoolExecutor(max_workers=cores, mp_context=get_context("forkserver")) as pool:
        yield pool


def _parse(lookup: Lookup, values: list[str], pool: Executor | None) -> pa.Table:
    if pool is None or len(values) < 2 * PARALLEL_CHUNK:
        return lookup.parse(values)
    chunks = [values[i : i + PARALLEL_CHUNK] for i in range(0, len(values), PARALLEL_CHUNK)]
    return pa.concat_tables(pool.map(lookup.parse, chunks))


def refresh_lookups(
    warehouse: Warehouse, registry: Registry, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Parse every raw value of new loads not yet in its lookup table; return new values per lookup."""
    warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {LOOKUP_SCHEMA}")
    loads = pending_loads(warehouse)
    done = _all_loads(warehouse) if loads is None else loads
    if loads is not None:
        load_filter = "_dlt_load_id IN (" + ", ".join(f"'{load}'" for load in loads) + ")" if loads else "1 = 0"
    else:
        load_filter = "1 = 1"
    added: dict[str, int] = {}
    work: list[tuple[Lookup, pa.Array]] = []
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
        if not feeds or loads == []:
            continue
        union = " UNION ".join(
            f'SELECT "{column}" AS raw_value FROM {RAW_SCHEMA}.{table} WHERE {load_filter}' for table, column in feeds
        )
        new_values = warehouse.arrow(
            f"SELECT raw_value FROM (SELECT DISTINCT raw_value FROM ({union}) AS feeds) AS fresh "
            f"WHERE raw_value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {LOOKUP_SCHEMA}.{lookup.name} AS known "
            "WHERE known.raw_value = fresh.raw_value)"
        ).column("raw_value")
        work.append((lookup, new_values))
        added[lookup.name] = len(new_values)
    with _workers(sum(added.values()) >= PARALLEL_MIN_VALUES) as pool:
        for lookup, new_values in work:
            for start in range(0, len(new_values), BATCH_VALUES):
                batch = new_values.slice(start, BATCH_VALUES).to_pylist()
                if progress:
                    progress(f"parsing {lookup.name}: {start + len(batch):,} of {len(new_values):,} new values")
                warehouse.append_arrow(LOOKUP_SCHEMA, lookup.name, _parse(lookup, batch, pool))
    warehouse.create_table_like(LOOKUP_SCHEMA, PROCESSED_TABLE, PROCESSED_SCHEMA)
    if done:
        warehouse.append_arrow(LOOKUP_SCHEMA, PROCESSED_TABLE, pa.table({"load_id": pa.array(done, pa.string())}))
    return added
