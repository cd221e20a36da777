"""Which connected components a resolve settles again: those a changed record or pair touches.

A component's clusters follow from its own records and pairs alone (`by_component`), so a resolve
after the first settles again only the components of the touched records: records new, gone or
with another value of a column the step reads (their name keys included), and both ends of a pair
that came, went or changed. Every other record keeps its row of `identity.record_clusters`. The
state this needs is written with the identity tables, in the same transaction: per record, a hash
of what the step reads of it and its component's label (`resolved_records`), and the pairs as the
step took them (`resolved_edges`).

The records to settle again are the touched ones and every member of their components of the last
resolve. A path of today's graph runs along pairs that are unchanged, whose ends lay in one old
component, or changed, whose ends are touched: so today's component of a touched record lies
within that set. And a member of such an old component is joined today to a touched record (along
its old path, up to the first pair that went, whose end is touched): so every cluster the set
leaves out is one nothing touched, and every cluster it holds is settled again whole.
"""

from __future__ import annotations

from leads_pipeline.config import names
from leads_pipeline.stages.identity import resolved_inputs
from leads_pipeline.warehouse import Warehouse

# Kept between resolves, beside the identity tables, each staged as <name>__next first.
RECORDS_STATE = "resolved_records"
EDGES_STATE = "resolved_edges"
# The CRM leads' choices (`changed_crm_leads`), staged whole by every resolve.
CRM_STATE = "resolved_crm_leads"
CRM_STATE_STAGED = f"{CRM_STATE}__next"
# Each state table with the table it is staged in.
STATES = tuple((table, f"{table}__next") for table in (RECORDS_STATE, EDGES_STATE, CRM_STATE))
# A resolve that settles again only the touched components writes only the affected records'
# rows: their state here, their clusters in resolve.py. RECORDS_REPLACED lists the affected
# records, each with the key of its rows of the last resolve (none for a record new since), which
# publishing deletes before it inserts the new rows (`update_in_place`).
RECORDS_CHANGED = f"{RECORDS_STATE}__changed"
RECORDS_REPLACED = f"{RECORDS_STATE}__replaced"
IN_PLACE_TABLES = (RECORDS_CHANGED, RECORDS_REPLACED)
# The step's work tables, in the identity schema.
TOUCHED = "resolve_touched"
TOUCHED_PARTS = f"{TOUCHED}__parts"
CHANGED_EDGES = "resolve_changed_edges"
AFFECTED = "resolve_affected"
WORK_TABLES = (TOUCHED, TOUCHED_PARTS, CHANGED_EDGES, AFFECTED)
EDGE_COLUMNS = "left_index, right_index, shares_phone, shares_address, shares_email, settled_rule, needs_name"

# Each current record (`only`: those the condition on its columns keeps) with a hash of the
# columns the step reads of it and the sum of a hash of each of its name keys (a sum: their order
# is no input). Read where it is needed rather than written to a table: only the touched records'
# and the affected records' hashes are kept.
RECORDS_SQL = """
    WITH record_names AS (
        SELECT record_index, sum({name_hash}) AS names_hash
        FROM {schema}.int_match_keys__collected
        WHERE key_type = 'name' AND {only}
        GROUP BY record_index
    )
    SELECT records.record_index, records.source, records.natural_key, {record_hash} AS record_hash,
        record_names.names_hash
    FROM (SELECT * FROM {schema}.int_source_records__current WHERE {only}) AS records
    LEFT JOIN record_names ON record_names.record_index = records.record_index
"""
# The touched records, gathered a part at a time and made distinct last: in one plan, the joins,
# the EXCEPTs and the UNION's aggregate held their hash tables together, which at 10 M records per
# source ran out of memory under the 2.5 GB default; each alone spills.
TOUCHED_SQL = (
    """
    CREATE TABLE {work}.{touched_parts} AS
    WITH records AS ({records})
    SELECT records.record_index
    FROM records
    LEFT JOIN {work}.{records_state} AS before ON before.record_index = records.record_index
    WHERE before.record_index IS NULL
        OR before.record_hash <> records.record_hash
        OR before.names_hash IS DISTINCT FROM records.names_hash
    """,
    """
    INSERT INTO {work}.{touched_parts}
    SELECT before.record_index
    FROM {work}.{records_state} AS before
    WHERE NOT EXISTS (
        SELECT 1 FROM {schema}.int_source_records__current AS records WHERE records.record_index = before.record_index
    )
    """,
    """
    CREATE TABLE {work}.{changed_edges} AS
    SELECT {edge_columns} FROM {work}.{edges} EXCEPT SELECT {edge_columns} FROM {work}.{edges_state}
    """,
    """
    INSERT INTO {work}.{changed_edges}
    SELECT {edge_columns} FROM {work}.{edges_state} EXCEPT SELECT {edge_columns} FROM {work}.{edges}
    """,
    """
    INSERT INTO {work}.{touched_parts}
    SELECT left_index FROM {work}.{changed_edges}
    UNION ALL
    SELECT right_index FROM {work}.{changed_edges}
    """,
    "CREATE TABLE {work}.{touched} AS SELECT DISTINCT record_index FROM {work}.{touched_parts}",
    "DROP TABLE {work}.{touched_parts}",
    "DROP TABLE {work}.{changed_edges}",
)
AFFECTED_SQL = """
    CREATE TABLE {work}.{affected} AS
    WITH touched_components AS (
        SELECT DISTINCT before.component
        FROM {work}.{records_state} AS before
        INNER JOIN {work}.{touched} AS touched ON touched.record_index = before.record_index
        WHERE before.component IS NOT NULL
    )
    SELECT record_index FROM {work}.{touched}
    UNION
    SELECT before.record_index
    FROM {work}.{records_state} AS before
    INNER JOIN touched_components ON touched_components.component = before.component
"""
# The pairs whose components are settled again: a pair of an affected record joins two of them.
AFFECTED_EDGES = f"WHERE left_index IN (SELECT record_index FROM {names.IDENTITY}.{AFFECTED})"
# The records' state after this resolve: each record with its component (none when no pair holds
# it). After a resolve of the touched components only, an affected record takes its new component
# and every other one keeps its label, which still names its component's smallest record.
RECORDS_STATE_COLUMNS = "record_index, source, natural_key, record_hash, names_hash, component"
NEXT_RECORDS_SQL = """
    CREATE TABLE {work}.{records_state_staged} AS
    SELECT records.record_index, records.source, records.natural_key, records.record_hash, records.names_hash,
        components.component
    FROM ({records}) AS records
    LEFT JOIN {work}.{components} AS components ON components.node = records.record_index
"""
EVERY_RECORD = "TRUE"
# An unaffected record's row is the same as before (the same hashes, else it is touched, and its
# kept label), so only the affected records' rows are written: those of the gone ones deleted.
AFFECTED_ONLY = f"record_index IN (SELECT record_index FROM {names.IDENTITY}.{AFFECTED})"
# The last resolve wrote a state row and a cluster row for each record then current: a record's
# key there is its state row's.
REPLACED_SQL = """
    CREATE TABLE {work}.{records_replaced} AS
    SELECT affected.record_index, before.source, before.natural_key
    FROM {work}.{affected} AS affected
    LEFT JOIN {work}.{records_state} AS before ON before.record_index = affected.record_index
"""
UPDATE_IN_PLACE_SQL = (
    "DELETE FROM {work}.{table} USING {work}.{records_replaced} AS replaced WHERE {same_record}",
    "INSERT INTO {work}.{table} ({columns}) SELECT {columns} FROM {work}.{changed}",
)


def _formats(**more: str) -> dict[str, str]:
    return {
        "work": names.IDENTITY,
        "touched": TOUCHED,
        "touched_parts": TOUCHED_PARTS,
        "changed_edges": CHANGED_EDGES,
        "affected": AFFECTED,
        "records_state": RECORDS_STATE,
        "edges_state": EDGES_STATE,
        "edge_columns": EDGE_COLUMNS,
        **more,
    }


def tracked(warehouse: Warehouse) -> bool:
    """Whether the warehouse can keep the state (a row hash; Spark's tables are rebuilt every run)."""
    return warehouse.target in resolved_inputs.ROW_HASH


def usable(warehouse: Warehouse) -> bool:
    """Whether the last resolve left a state this code can settle changes against."""
    if not tracked(warehouse) or not all(warehouse.table_exists(names.IDENTITY, table) for table, _ in STATES):
        return False
    return resolved_inputs.resolved_code(warehouse) == resolved_inputs.code_digest()


def drop_work(warehouse: Warehouse) -> None:
    for table in WORK_TABLES:
        warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{table}")


def _records(warehouse: Warehouse, schema: str, only: str) -> str:
    """RECORDS_SQL for the records `only` keeps."""
    columns = resolved_inputs.columns_read("int_source_records__current")
    row_hash = resolved_inputs.ROW_HASH[warehouse.target]
    return RECORDS_SQL.format(
        schema=schema,
        only=only,
        record_hash=row_hash.format(columns=", ".join(f"records.{column}" for column in columns)),
        name_hash=row_hash.format(columns="key_value"),
    )


def stage_affected(warehouse: Warehouse, edges: str, schema: str) -> int:
    """Write the work table of the records whose components are settled again (see the module's
    docstring), from today's records and pairs (`identity.<edges>`); returns their number."""
    formats = _formats(edges=edges, schema=schema, records=_records(warehouse, schema, EVERY_RECORD))
    for statement in TOUCHED_SQL:
        warehouse.execute(statement.format(**formats))
    warehouse.execute(AFFECTED_SQL.format(**formats))
    return int(warehouse.query(f"SELECT count(*) FROM {names.IDENTITY}.{AFFECTED}")[0][0])


def stage_state(warehouse: Warehouse, edges: str, components: str, schema: str, incremental: bool) -> None:
    """Stage the state the next resolve settles its changes against: the records' hashes and
    today's components (when `incremental`, of the affected records only, to be published in
    place), and today's pairs (the work table `identity.<edges>`, renamed). `start_staging`
    dropped any left over."""
    (_, records_staged), (_, edges_staged), _ = STATES
    formats = _formats(components=components, records_state_staged=RECORDS_CHANGED if incremental else records_staged)
    records = _records(warehouse, schema, AFFECTED_ONLY if incremental else EVERY_RECORD)
    warehouse.execute(NEXT_RECORDS_SQL.format(**formats, records=records))
    if incremental:
        warehouse.execute(REPLACED_SQL.format(**_formats(records_replaced=RECORDS_REPLACED)))
    warehouse.execute(f"ALTER TABLE {names.IDENTITY}.{edges} RENAME TO {edges_staged}")


def update_in_place(warehouse: Warehouse, table: str, changed: str, columns: list[str], key: tuple[str, ...]) -> None:
    """Replace the affected records' rows of `identity.<table>` (found by `key`) with the rows of
    `identity.<changed>`, inside the publishing transaction."""
    same_record = " AND ".join(f"replaced.{column} = {table}.{column}" for column in key)
    formats = _formats(
        table=table,
        changed=changed,
        records_replaced=RECORDS_REPLACED,
        same_record=same_record,
        columns=", ".join(columns),
    )
    for sql in UPDATE_IN_PLACE_SQL:
        warehouse.execute(sql.format(**formats))


def publish_records_in_place(warehouse: Warehouse) -> None:
    """Update the records' state with the affected records' rows."""
    update_in_place(warehouse, RECORDS_STATE, RECORDS_CHANGED, RECORDS_STATE_COLUMNS.split(", "), ("record_index",))


def drop_in_place(warehouse: Warehouse) -> None:
    for table in IN_PLACE_TABLES:
        warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{table}")
