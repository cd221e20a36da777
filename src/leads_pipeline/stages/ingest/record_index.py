"""The record index: what each landed record is, and what changed since its source's last snapshot.

As a file lands, one DuckDB pass over its Parquet spool writes a narrow row per record
(`raw.record_index`): its natural key, by the source's key rule in `sources.yml` (the rule the
staging models apply through `natural_key()`), and a hash of its canonical columns in
`sources.yml` order. Lineage columns are not hashed and headers are matched to canonical columns
first, so a file re-encoded, with its columns or rows in another order, hashes as before.

The index rows travel in the file's own load package, so they land with its rows. Before that,
the file's keys and hashes are compared with the index of the source's previous snapshot (the
current version of each of its files): each record is `inserted`, `updated` or `unchanged`, and
each record of the previous snapshot the file lacks is `deleted`. A key repeated within a file
counts once, by its last record, as in the record history.

Two records with one key and one hash in snapshots of one year have the same staged values (a
staged value is a function of the record's text, its parse error, the lookups, the seeds and, for
a two-digit year, its snapshot's year): staging copies such a record instead of computing it
again, and the record history does not compare it (leads/macros/unchanged_records.sql).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from leads_pipeline.config import names
from leads_pipeline.config.registry import SourceSpec
from leads_pipeline.stages.ingest.csv_reader import SPOOL_FORMAT, sql_literal
from leads_pipeline.stages.ingest.ledger import LOADED, previous_snapshot
from leads_pipeline.warehouse import Warehouse, query_beside

BATCH_ROWS = 200_000
# A key repeated within the file, or across or within the previous snapshot's files, counts once,
# by its last record, as in the record history. Each side is kept before the join (query_beside).
INCOMING_KEYS = """
SELECT natural_key, arg_max(row_hash, record_number) AS row_hash
FROM read_parquet({index}) WHERE natural_key IS NOT NULL GROUP BY natural_key
"""
PREVIOUS_KEYS = """
SELECT natural_key, arg_max(row_hash, (relative_path, record_number)) AS row_hash
FROM previous_rows GROUP BY natural_key
"""
COUNT_CHANGES = """
SELECT count(previous_keys.natural_key),
    count(*) FILTER (WHERE previous_keys.natural_key IS NULL),
    count(*) FILTER (WHERE incoming_keys.row_hash <> previous_keys.row_hash),
    count(*) FILTER (WHERE incoming_keys.row_hash = previous_keys.row_hash),
    count(*) FILTER (WHERE incoming_keys.natural_key IS NULL)
FROM incoming_keys FULL OUTER JOIN previous_keys ON incoming_keys.natural_key = previous_keys.natural_key
"""
# Marks a missing value in the hashed text, which no CSV cell can hold, so NULL and '' differ.
NULL_MARK = "chr(0)"
FIELD_SEPARATOR = "chr(31)"
PARSE_ERROR_MARK = "chr(30)"

INDEX_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("snapshot_date", pa.date32()),
        ("load_id", pa.string()),
        ("relative_path", pa.string()),
        ("record_number", pa.int64()),
        ("natural_key", pa.string()),
        ("row_hash", pa.string()),
    ]
)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def clean_text_sql(expression: str) -> str:
    """DuckDB SQL for the staging models' `clean_text` (leads/macros/clean_text.sql): whitespace
    runs collapsed to one space, trimmed, empty as NULL."""
    return (
        f"nullif(trim(CASE WHEN regexp_matches({expression}, '[\\t\\n\\v\\f\\r]|  ') "
        f"THEN regexp_replace({expression}, '[[:space:]]+', ' ', 'g') ELSE {expression} END), '')"
    )


def natural_key_sql(spec: SourceSpec, expression: str) -> str:
    """DuckDB SQL for the source's natural key of a raw value: the `natural_key()` macro's rule."""
    cleaned = clean_text_sql(expression)
    if spec.natural_key_pattern is None:
        return cleaned
    return f"nullif(regexp_extract({cleaned}, {sql_literal(spec.natural_key_pattern)}, 1), '')"


def row_hash_sql(spec: SourceSpec, present: set[str]) -> str:
    """DuckDB SQL hashing a record's canonical columns in `sources.yml` order; a column the file
    lacks counts as empty. A record read with a parse error also hashes its reason (the staged
    `parse_error`); concat_ws skips the NULL of a clean record, whose hash stays that of its text."""
    parts = [f"coalesce({_ident(column)}, {NULL_MARK})" if column in present else NULL_MARK for column in spec.columns]
    if "_parse_error" in present:
        parts.append(f"{PARSE_ERROR_MARK} || _parse_error")
    return f"md5(concat_ws({FIELD_SEPARATOR}, {', '.join(parts)}))"


@dataclass(frozen=True)
class FileChanges:
    """How a file's records compare with its source's previous snapshot."""

    previous_snapshot: date | None  # None: the source's first snapshot
    previous_records: int
    inserted: int
    updated: int
    unchanged: int
    deleted: int

    def summary(self) -> str:
        """The counts in words, for the ingest output."""
        counts = f"{self.inserted:,} inserted, {self.updated:,} updated, {self.unchanged:,} unchanged"
        if self.previous_snapshot is None:
            return f"first snapshot: {counts}"
        return f"against {self.previous_snapshot}: {counts}, {self.deleted:,} deleted"


class RecordIndex:
    """Writes a file's index next to its spool and compares it with the previous snapshot's."""

    def __init__(self, spec: SourceSpec, memory_limit: str = "1GB") -> None:
        self.spec = spec
        self.memory_limit = memory_limit

    def write(self, spool: Path, lineage: dict[str, object]) -> Path:
        """Index the spool's records into `<spool>.index.parquet`, in one pass over the spool."""
        target = spool.with_suffix(".index.parquet")
        present = set(pq.read_schema(spool).names)
        key_column = _ident(self.spec.natural_key)
        key = natural_key_sql(self.spec, key_column) if self.spec.natural_key in present else "CAST(NULL AS VARCHAR)"
        with self._connect() as con:
            con.execute(
                f"COPY (SELECT {sql_literal(self.spec.name)} AS source, "
                f"CAST({sql_literal(lineage['_snapshot_date'])} AS DATE) AS snapshot_date, "
                f"{sql_literal(lineage['_dlt_load_id'])} AS load_id, "
                f"{sql_literal(lineage['_relative_path'])} AS relative_path, "
                f"_record_number AS record_number, {key} AS natural_key, "
                f"{row_hash_sql(self.spec, present)} AS row_hash "
                f"FROM read_parquet({sql_literal(str(spool))})) TO {sql_literal(str(target))} ({SPOOL_FORMAT})"
            )
        return target

    @staticmethod
    def batches(index: Path) -> Iterator[pa.Table]:
        """The index as Arrow tables of the index schema, a bounded number of rows at a time."""
        for batch in pq.ParquetFile(index).iter_batches(batch_size=BATCH_ROWS):
            yield pa.Table.from_batches([batch]).cast(INDEX_SCHEMA)

    def compare(self, warehouse: Warehouse, snapshot: date | None, index: Path) -> FileChanges | None:
        """The file's changes against the source's previous snapshot; None when that snapshot was
        loaded before the index existed (nothing to compare with)."""
        previous = previous_snapshot(warehouse, self.spec.name, snapshot) if snapshot else None
        if previous is not None and not self._indexed(warehouse, previous):
            return None
        counts = query_beside(
            warehouse,
            (
                "previous_rows",
                "natural_key VARCHAR, row_hash VARCHAR, relative_path VARCHAR, record_number BIGINT",
                self._previous_rows(previous),
            ),
            [
                ("incoming_keys", INCOMING_KEYS.format(index=sql_literal(str(index)))),
                ("previous_keys", PREVIOUS_KEYS),
            ],
            COUNT_CHANGES,
            BATCH_ROWS,
        )[0]
        previous_records, inserted, updated, unchanged, deleted = (int(n) for n in counts)
        return FileChanges(previous, previous_records, inserted, updated, unchanged, deleted)

    def _files(self, previous: date) -> str:
        """The current version of each file of the previous snapshot: the newest load of its path."""
        return (
            f"SELECT relative_path, max(load_id) AS load_id FROM {names.RAW}.{names.LEDGER} "
            f"WHERE source = {sql_literal(self.spec.name)} AND status = '{LOADED}' "
            f"AND snapshot_date = {sql_literal(previous)} GROUP BY relative_path"
        )

    def _indexed(self, warehouse: Warehouse, previous: date) -> bool:
        """Whether every file of the previous snapshot has index rows."""
        if not warehouse.table_exists(names.RAW, names.RECORD_INDEX):
            return False
        indexed = (
            f"SELECT files.relative_path, files.load_id, count(entry.load_id) AS entries "
            f"FROM ({self._files(previous)}) AS files "
            f"LEFT JOIN {names.RAW}.{names.RECORD_INDEX} AS entry "
            "ON entry.relative_path = files.relative_path AND entry.load_id = files.load_id "
            f"AND entry.source = {sql_literal(self.spec.name)} GROUP BY files.relative_path, files.load_id"
        )
        return all(entries > 0 for _, _, entries in warehouse.query(indexed))

    def _previous_rows(self, previous: date | None) -> str | None:
        """The previous snapshot's keyed index rows; None for a source's first snapshot."""
        if previous is None:
            return None
        return (
            "SELECT entry.natural_key, entry.row_hash, entry.relative_path, entry.record_number "
            f"FROM {names.RAW}.{names.RECORD_INDEX} AS entry INNER JOIN ({self._files(previous)}) AS files "
            "ON entry.relative_path = files.relative_path AND entry.load_id = files.load_id "
            f"WHERE entry.source = {sql_literal(self.spec.name)} AND entry.natural_key IS NOT NULL"
        )

    def _connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(config={"memory_limit": self.memory_limit})
