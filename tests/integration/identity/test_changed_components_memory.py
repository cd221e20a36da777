"""A resolve after the first lists the records it settles again exactly, within a small memory limit.

A million records under 150 MB: every tenth edited, a thousand gone with their pairs and a
thousand new. Each statement that gathers the touched records spills past the limit.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb

from leads_pipeline.config import names
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.identity import changed_components
from leads_pipeline.warehouse import Warehouse

RECORDS = 1_000_000
GONE = 1_000
NEW = 1_000
MEMORY_LIMIT = "150MB"
EDGES = "resolve_edges"
COMPONENTS = "resolve_components"

# Records 2k and 2k+1 pair into one component labelled 2k; keys as wide as real natural keys.
RECORD_ROWS = """
    SELECT i AS record_index, 'source_' || (i % 3 + 1) AS source, i % 3 + 1 AS source_rank,
        'facility-license-' || lpad(i::VARCHAR, 12, '0') AS natural_key, DATE '2024-01-01' AS first_seen_date,
        lpad((i % 99999)::VARCHAR, 5, '0') AS zip, (i % 9999)::VARCHAR AS street_number,
        md5(i::VARCHAR) AS own_lead_id
    FROM range({first}, {last}) AS records(i)
"""
PAIR_ROWS = """
    SELECT 2 * k AS left_index, 2 * k + 1 AS right_index, true AS shares_phone, false AS shares_address,
        false AS shares_email, 'phone' AS settled_rule, false AS needs_name
    FROM range({pairs}) AS pairs(k)
"""


def test_the_records_to_settle_again_are_listed_under_a_small_memory_limit(tmp_path):
    settings = Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="duckdb")
    schema, work = names.INTERMEDIATE, names.IDENTITY
    with duckdb.connect(str(settings.database)) as con:
        con.execute(f"CREATE SCHEMA {schema}; CREATE SCHEMA {work}")
        con.execute(f"CREATE TABLE {schema}.int_source_records__current AS {RECORD_ROWS.format(first=0, last=RECORDS)}")
        con.execute(
            f"CREATE TABLE {schema}.int_match_keys__collected AS SELECT record_index, 'name' AS key_type, "
            f"'facility name ' || record_index AS key_value FROM {schema}.int_source_records__current"
        )
        con.execute(f"CREATE TABLE {work}.{EDGES} AS {PAIR_ROWS.format(pairs=RECORDS // 2)}")
        con.execute(
            f"CREATE TABLE {work}.{COMPONENTS} AS SELECT left_index AS node, left_index AS component FROM {work}.{EDGES} "
            f"UNION ALL SELECT right_index, left_index FROM {work}.{EDGES}"
        )
    settings = replace(settings, memory_limit=MEMORY_LIMIT)
    with Warehouse.open(settings) as warehouse:
        # the last resolve's state, written as a resolve writes it
        changed_components.stage_state(warehouse, EDGES, COMPONENTS, schema, incremental=False)
        for table, staged in changed_components.STATES[:2]:
            warehouse.execute(f"ALTER TABLE {work}.{staged} RENAME TO {table}")
        # this month: every tenth record edited, the last thousand gone with their pairs, a thousand new
        warehouse.execute(f"UPDATE {schema}.int_source_records__current SET zip = 'edited' WHERE record_index % 10 = 0")
        warehouse.execute(f"DELETE FROM {schema}.int_source_records__current WHERE record_index >= {RECORDS - GONE}")
        warehouse.execute(
            f"INSERT INTO {schema}.int_source_records__current {RECORD_ROWS.format(first=RECORDS, last=RECORDS + NEW)}"
        )
        warehouse.execute(f"CREATE TABLE {work}.{EDGES} AS {PAIR_ROWS.format(pairs=(RECORDS - GONE) // 2)}")

        affected = changed_components.stage_affected(warehouse, EDGES, schema)
        touched = warehouse.query(f"SELECT count(*) FROM {work}.{changed_components.TOUCHED}")[0][0]

    edited = (RECORDS - GONE) // 10
    assert touched == edited + GONE + NEW
    # an edited record's partner is settled again with it; a gone record's partner is gone too
    assert affected == 2 * edited + GONE + NEW
