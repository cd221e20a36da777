"""The record index: each landed record's natural key and content hash, and each file's records
classified against its source's previous snapshot before any model runs.

A month delivered in another encoding, with its rows and columns in another order and a header
spelled another way, changes nothing; a month with known edits changes exactly those records.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.ingest.record_index import INDEX_SCHEMA, FileChanges, RecordIndex
from leads_pipeline.stages.ingest.runner import run_ingest
from leads_pipeline.warehouse import Warehouse
from tests.conftest import REAL_FILES
from tests.integration.test_ingest_real import read_records, write_records

NEVADA = REAL_FILES["source_1"]
NEVADA_LATER = "technical_exercise/source_1/source_1_20241201.csv"
OKLAHOMA = REAL_FILES["source_2"]
OKLAHOMA_LATER = "technical_exercise/source_2/source_2_20241201.csv"


def land(settings) -> dict[str, object]:
    """Ingest what is new (no lookups, no models); each loaded file's outcome by path."""
    report = run_ingest(settings, load_registry(settings.sources_file))
    return {outcome.relative_path: outcome for outcome in report.files}


def query(settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def rearranged(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The same records, the rows reversed and the columns in reverse order."""
    return header[::-1], [row[::-1] for row in reversed(rows)]


def test_a_reencoded_reordered_month_with_no_change_leaves_every_record_unchanged(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    first = land(settings)
    nevada_keys, oklahoma_keys = first[NEVADA].changes.inserted, first[OKLAHOMA].changes.inserted
    assert first[NEVADA].changes == FileChanges(None, 0, nevada_keys, 0, 0, 0)

    header, rows = read_records(real_bucket / NEVADA)
    assert any(not value.isascii() for row in rows for value in row)  # cp1252 writes them otherwise
    header = ["Facility Name" if h == "Name" else h for h in header]  # another spelling of the column
    write_records(real_bucket / NEVADA_LATER, *rearranged(header, rows), encoding="cp1252")
    header, rows = read_records(real_bucket / OKLAHOMA)
    write_records(real_bucket / OKLAHOMA_LATER, *rearranged(header, rows), encoding="utf-8-sig")

    later = land(settings)
    assert later[NEVADA_LATER].encoding == "cp1252"
    november = first[NEVADA].snapshot_date
    assert later[NEVADA_LATER].changes == FileChanges(november, nevada_keys, 0, 0, nevada_keys, 0)
    assert later[OKLAHOMA_LATER].changes == FileChanges(november, oklahoma_keys, 0, 0, oklahoma_keys, 0)
    # Oklahoma's key is the license number inside `Type License` (its key rule in sources.yml).
    keys = {key for (key,) in query(settings, "SELECT natural_key FROM raw.record_index WHERE source = 'source_2'")}
    assert len(keys) == oklahoma_keys and all(key.startswith("K") and " " not in key for key in keys)


def test_a_month_with_known_edits_classifies_exactly_those_records(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    first = land(settings)[OKLAHOMA]
    header, rows = read_records(real_bucket / OKLAHOMA)
    company = header.index("Company")
    edited = [list(row) for row in rows]
    # the license type changes, the number (the key) stays: an update of the same record
    kind, number = edited[0][0].rsplit(" - ", 1)
    edited[0][0] = f"{'CHILD CARE CENTER' if kind != 'CHILD CARE CENTER' else 'CHILD CARE FAMILY'} - {number}"
    edited[1][company] += " ANNEX"  # renamed: updated
    # a cell's whitespace is part of the raw record: updated at landing
    edited[2][company] = edited[2][company].replace(" ", "  ", 1)
    del edited[3]  # gone: deleted
    newcomer = list(rows[4])
    newcomer[0] = "CHILD CARE FAMILY - K899999999"  # a new license number: inserted
    write_records(real_bucket / OKLAHOMA_LATER, header, [*edited, newcomer])

    later = land(settings)[OKLAHOMA_LATER]
    keys = first.changes.inserted
    assert later.changes == FileChanges(first.snapshot_date, keys, 1, 3, keys - 4, 1)
    ledger = query(
        settings,
        "SELECT compared_with, records_inserted, records_updated, records_unchanged, records_deleted "
        "FROM raw.ingested_files WHERE relative_path = ?",
        [OKLAHOMA_LATER],
    )
    assert ledger == [(first.snapshot_date, 1, 3, keys - 4, 1)]
    assert query(settings, "SELECT count(*) FROM raw.record_index WHERE relative_path = ?", [OKLAHOMA_LATER]) == [
        (later.rows,)
    ]


def test_a_file_whose_previous_snapshot_has_no_index_is_not_classified(real_bucket, settings_for):
    """A warehouse loaded before the index existed: the comparison says it does not know."""
    settings = settings_for(real_bucket)
    land(settings)
    with duckdb.connect(str(settings.database)) as con:
        con.execute("DELETE FROM raw.record_index WHERE source = 'source_2'")
    header, rows = read_records(real_bucket / OKLAHOMA)
    write_records(real_bucket / OKLAHOMA_LATER, header, rows)
    later = land(settings)[OKLAHOMA_LATER]
    assert later.status == "loaded" and later.changes is None
    assert query(
        settings, "SELECT records_unchanged FROM raw.ingested_files WHERE relative_path = ?", [OKLAHOMA_LATER]
    ) == [(None,)]


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_the_comparison_counts_each_change_within_the_warehouse_memory_limit(
    real_bucket, tmp_path, request, monkeypatch, target
):
    """On DuckDB the file's index is compared inside the warehouse, under its one memory limit (a
    second DuckDB instance would hold a limit of its own beside it); on PostgreSQL the previous
    snapshot's rows are streamed into a local DuckDB."""
    if target == "postgres":
        monkeypatch.setenv("LEADS_POSTGRES_DSN", request.getfixturevalue("postgres_dsn"))
    settings = Settings.load(bucket_url=str(real_bucket), database=tmp_path / "leads.duckdb", target=target)
    first = land(settings)[OKLAHOMA]
    spec = load_registry(settings.sources_file)["source_2"]
    with Warehouse.open(settings) as warehouse:
        landed = warehouse.arrow(
            "SELECT source, snapshot_date, load_id, relative_path, record_number, natural_key, row_hash "
            f"FROM raw.record_index WHERE relative_path = '{OKLAHOMA}' ORDER BY record_number"
        ).cast(INDEX_SCHEMA)
        keys = landed.num_rows
        # the next month's index: its first record edited, its second gone, one record new
        edited = landed.slice(0, 1).set_column(6, "row_hash", pa.array(["edited"]))
        newcomer = landed.slice(0, 1).set_column(5, "natural_key", pa.array(["K899999999"]))
        later = pa.concat_tables([edited, landed.slice(2), newcomer])
        assert pc.count_distinct(later.column("natural_key")).as_py() == keys
        index = tmp_path / "later.index.parquet"
        pq.write_table(later, index)

        if target == "duckdb":

            def refused(*args, **kwargs):
                raise AssertionError("a second DuckDB instance was opened beside the warehouse")

            monkeypatch.setattr(duckdb, "connect", refused)
        changes = RecordIndex(spec).compare(warehouse, date(2024, 12, 1), index)
    assert changes == FileChanges(first.snapshot_date, keys, 1, 1, keys - 2, 1)


def test_a_large_file_is_compared_under_a_small_memory_limit(tmp_path):
    """A million keys a side under 250 MB: each side's keys are kept before the join, which
    spills; the two aggregates feeding the join in one plan ran out of memory."""
    settings = Settings.load(bucket_url=str(tmp_path), database=tmp_path / "leads.duckdb", target="duckdb")
    settings = replace(settings, memory_limit="250MB")
    index = tmp_path / "later.index.parquet"
    with duckdb.connect(str(settings.database)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.ingested_files AS SELECT 'source_2' AS source, 'loaded' AS status, "
            "DATE '2024-11-01' AS snapshot_date, 'november.csv' AS relative_path, 'L1' AS load_id"
        )
        con.execute(
            "CREATE TABLE raw.record_index AS SELECT 'source_2' AS source, DATE '2024-11-01' AS snapshot_date, "
            "'L1' AS load_id, 'november.csv' AS relative_path, i AS record_number, 'K' || i AS natural_key, "
            "md5(i::VARCHAR) AS row_hash FROM range(1000000) AS keys(i)"
        )
        # the next month: every tenth record edited, the last thousand gone, a thousand new
        con.execute(
            "COPY (SELECT 'source_2' AS source, DATE '2024-12-01' AS snapshot_date, 'L2' AS load_id, "
            "'december.csv' AS relative_path, i AS record_number, 'K' || i AS natural_key, "
            "CASE WHEN i % 10 = 0 THEN md5('edited' || i) ELSE md5(i::VARCHAR) END AS row_hash "
            f"FROM range(1001000) AS keys(i) WHERE i < 999000 OR i >= 1000000) TO '{index}' (FORMAT parquet)"
        )
    spec = load_registry(settings.sources_file)["source_2"]
    with Warehouse.open(settings) as warehouse:
        changes = RecordIndex(spec).compare(warehouse, date(2024, 12, 1), index)
    assert changes == FileChanges(date(2024, 11, 1), 1_000_000, 1_000, 99_900, 899_100, 1_000)
