"""The record history compares only the keys whose landed text may have changed, as the record
index tells; a snapshot with a file landed before the index existed has no index rows, and its
comparison reads every record instead.

One warehouse lands the first month, loses that month's index rows (as a warehouse from before the
index would have none), then lands the second; another lands both with their index. The second
month's events must be the same in both: its deletions above all, since a deleted record's key
is in no index row of the second month.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.settings import Settings
from tests.integration.test_unchanged_records import build, deliver

pytestmark = pytest.mark.slow  # builds the dbt project three times

EVENTS = (
    "SELECT natural_key, change_type, changed_columns, row_hash "
    "FROM main_intermediate.int_source_records__versioned "
    "WHERE source = 'source_1' AND snapshot_date = CAST(? AS DATE) AND change_type <> 'snapshot'"
)


def events(settings: Settings, snapshot: str) -> list[tuple]:
    with duckdb.connect(str(settings.database), read_only=True) as con:
        return sorted(con.execute(EVENTS, [snapshot]).fetchall(), key=repr)


def test_a_snapshot_without_index_rows_is_compared_in_full(tmp_path):
    source = tmp_path / "months"
    summary = generate_bucket(source, rows=200, months=2, seed=11, start=date(2024, 10, 1), truth=False)
    first, second = (day.strftime("%Y%m%d") for day in summary.snapshots)

    unindexed = Settings.load(
        bucket_url=str(tmp_path / "unindexed"), database=tmp_path / "unindexed.duckdb", target="duckdb"
    )
    deliver(source, tmp_path / "unindexed", first)
    build(unindexed)
    with duckdb.connect(str(unindexed.database)) as con:
        con.execute("DELETE FROM raw.record_index WHERE source = 'source_1'")
    deliver(source, tmp_path / "unindexed", second)
    build(unindexed)

    indexed = Settings.load(bucket_url=str(tmp_path / "indexed"), database=tmp_path / "indexed.duckdb", target="duckdb")
    deliver(source, tmp_path / "indexed", first)
    deliver(source, tmp_path / "indexed", second)
    build(indexed)

    expected = events(indexed, "2024-11-01")
    kinds = {change_type for _, change_type, _, _ in expected}
    assert {"inserted", "updated", "deleted"} <= kinds, "the generated second month inserts, edits and deletes"
    assert events(unindexed, "2024-11-01") == expected
