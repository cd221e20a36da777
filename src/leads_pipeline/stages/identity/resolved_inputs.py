"""What the identity tables were resolved from, so that a run whose inputs did not change keeps them.

The resolve step is a function of its inputs (the columns it reads of the first dbt phase's five
tables) and of its code. A digest of both is written with the identity tables, in the same
transaction; when the next run's digest is the same (a month that changed no record's identity:
a re-exported snapshot, or changes to columns identity does not read), the tables are kept as
they are instead of resolved again. Each table's part of the digest is its row count and the sum
of a hash of each row, computed in the warehouse (DuckDB and PostgreSQL; Spark, whose tables are
rebuilt every run, always resolves).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from leads_pipeline.config import names
from leads_pipeline.warehouse import Warehouse

TABLE = "resolved_inputs"

# The columns the resolve step reads of each input table (resolve.py, by_component.py), and which rows.
READ_COLUMNS = {
    "int_source_records__current": (
        "record_index, source, source_rank, natural_key, first_seen_date, zip, street_number, own_lead_id",
        "",
    ),
    "int_match_keys__collected": ("record_index, key_value", "WHERE key_type = 'name'"),
    "int_record_pairs__blocked": ("left_index, right_index, shares_phone, shares_address, shares_email", ""),
    "int_crm_leads__current": ("crm_index, salesforce_lead_id, zip, street_number, name_key, created_date", ""),
    "int_crm_pairs__blocked": ("crm_index, record_index, shares_phone, shares_address, shares_email", ""),
}
# One 64-bit hash of a row's columns, per engine.
ROW_HASH = {
    "duckdb": "hash({columns})",
    "postgres": "hashtextextended(CAST(ROW({columns}) AS TEXT), 0)",
}


def columns_read(table: str) -> list[str]:
    """The columns the resolve step reads of `table`, in READ_COLUMNS order."""
    return [column.strip() for column in READ_COLUMNS[table][0].split(",")]


def code_digest() -> str:
    """The identity package's source: a new version of the rules resolves again."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for module in sorted(package.glob("*.py")):
        digest.update(module.name.encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


def inputs_digest(warehouse: Warehouse, schema: str = names.INTERMEDIATE) -> str | None:
    """The digest of what a resolve would read now; None where the warehouse has no row hash."""
    row_hash = ROW_HASH.get(warehouse.target)
    if row_hash is None:
        return None
    digest = hashlib.sha256(code_digest().encode())
    for table, (columns, where) in READ_COLUMNS.items():
        rows, hashes = warehouse.query(
            f"SELECT count(*), coalesce(sum({row_hash.format(columns=columns)}), 0) FROM {schema}.{table} {where}"
        )[0]
        digest.update(f"{table}:{rows}:{hashes};".encode())
    return digest.hexdigest()


def _recorded(warehouse: Warehouse, column: str) -> str | None:
    if not warehouse.table_exists(names.IDENTITY, TABLE):
        return None
    found = warehouse.query(f"SELECT {column} FROM {names.IDENTITY}.{TABLE}")
    return found[0][0] if found else None


def resolved_digest(warehouse: Warehouse) -> str | None:
    """The digest written with the current identity tables; None when there is none."""
    return _recorded(warehouse, "digest")


def resolved_code(warehouse: Warehouse) -> str | None:
    """The digest of the code that wrote the current identity tables; None when unknown."""
    return _recorded(warehouse, "code")


def record(warehouse: Warehouse, digest: str | None) -> None:
    """Write `digest` as what the identity tables being published were resolved from, and the
    digest of the code that resolved them (inside the publishing transaction); without one, forget
    it, so that the next run resolves."""
    warehouse.execute(f"DROP TABLE IF EXISTS {names.IDENTITY}.{TABLE}")
    if digest is not None:
        warehouse.execute(
            f"CREATE TABLE {names.IDENTITY}.{TABLE} AS SELECT CAST('{digest}' AS VARCHAR(64)) AS digest, "
            f"CAST('{code_digest()}' AS VARCHAR(64)) AS code"
        )
