"""The Spark target, on a real Spark session: dlt lands raw on the lake as Parquet, Spark reads it as
the `raw` tables, row for row what DuckDB loads, and the Python steps' SQL runs through it.

One Spark session serves the module (a session's warehouse is fixed when it starts). Under CI a
missing Java or a missing `spark` extra fails these tests instead of skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.ingest.runner import run_ingest
from leads_pipeline.stages.lookups.refresh import LOOKUPS, refresh_lookups
from leads_pipeline.warehouse import Warehouse
from tests.e2e.test_postgres_matches_duckdb import RAW_TABLES, table_as_text

pytestmark = [pytest.mark.slow, pytest.mark.spark]


@pytest.fixture(scope="module")
def spark_ready() -> None:
    from leads_pipeline.spark.session import require_spark

    try:
        require_spark()
    except ConfigError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))  # CI installs the extra and Java: missing is a broken build
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def lake(spark_ready, real_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Settings]:
    """The real files ingested once on DuckDB and once on Spark."""
    work = tmp_path_factory.mktemp("spark")
    on_duckdb = Settings.load(bucket_url=str(real_dir), database=work / "leads.duckdb", target="duckdb")
    on_spark = Settings.load(bucket_url=str(real_dir), database=work / "leads.duckdb", target="spark")
    registry = load_registry(on_spark.sources_file)
    duck = run_ingest(on_duckdb, registry)
    spark = run_ingest(on_spark, registry)
    assert spark.rows == duck.rows > 0
    return on_duckdb, on_spark


def test_raw_on_the_lake_equals_raw_on_duckdb(lake):
    on_duckdb, on_spark = lake
    from leads_pipeline.spark.session import local_path

    lake_dir = local_path(on_spark.spark_raw_url)
    for table in (*RAW_TABLES, "ingested_files"):
        assert list((lake_dir / "raw" / table).glob("*.parquet")), f"no Parquet files for {table}"
        spark_columns, spark_rows = table_as_text(on_spark, "raw", table)
        duck_columns, duck_rows = table_as_text(on_duckdb, "raw", table)
        assert sorted(spark_columns) == sorted(duck_columns), table
        if table == "ingested_files":
            continue  # when and by which load: different runs
        order = [spark_columns.index(c) for c in duck_columns]
        reordered = sorted(
            (tuple(row[i] for i in order) for row in spark_rows), key=lambda r: [(v is None, v or "") for v in r]
        )
        assert reordered == duck_rows, table


def test_a_file_lands_once(lake):
    _, on_spark = lake
    again = run_ingest(on_spark, load_registry(on_spark.sources_file))
    assert again.rows == 0 and not again.loaded
    with Warehouse.open(on_spark) as warehouse:
        loaded = warehouse.query("SELECT count(*) FROM raw.ingested_files WHERE status = ?", ["loaded"])[0][0]
    assert loaded == len(RAW_TABLES)


def test_lookups_parsed_in_spark_equal_duckdbs(lake):
    on_duckdb, on_spark = lake
    registry = load_registry(on_spark.sources_file)
    with Warehouse.open(on_duckdb) as warehouse:
        duck_added = refresh_lookups(warehouse, registry)
    with Warehouse.open(on_spark) as warehouse:
        spark_added = refresh_lookups(warehouse, registry)
        assert refresh_lookups(warehouse, registry) == dict.fromkeys(LOOKUPS, 0)  # nothing new the second time
    assert spark_added == duck_added and sum(spark_added.values()) > 0
    for name in LOOKUPS:
        assert table_as_text(on_spark, "lookup", name) == table_as_text(on_duckdb, "lookup", name), name


def test_the_python_steps_sql_runs_on_spark(lake):
    _, on_spark = lake
    schema = pa.schema([("name", pa.string()), ("n", pa.int64()), ("at", pa.timestamp("us"))])
    with Warehouse.open(on_spark) as warehouse:
        warehouse.create_table_like("main_audit", "spark_check", schema)
        warehouse.append_arrow(
            "main_audit",
            "spark_check",
            pa.table({"n": [1, 2, 3], "name": ["a", "b's", None]}),  # columns by name; `at` missing: NULL
        )
        assert warehouse.table_exists("main_audit", "spark_check")
        assert warehouse.columns("main_audit", "spark_check") == ["name", "n", "at"]
        assert "spark_check" in warehouse.tables("main_audit")
        warehouse.execute('UPDATE main_audit.spark_check SET "name" = ? WHERE n >= ?', ["z", 2])
        warehouse.execute("DELETE FROM main_audit.spark_check WHERE n = ?", [3])
        rows = warehouse.query('SELECT "name", n, "at" FROM main_audit.spark_check ORDER BY n')
        assert rows == [("a", 1, None), ("z", 2, None)]
        assert warehouse.arrow("SELECT n FROM main_audit.spark_check ORDER BY n").column("n").to_pylist() == [1, 2]
        batches = list(warehouse.arrow_batches("SELECT n FROM main_audit.spark_check ORDER BY n", 1))
        assert [b.num_rows for b in batches] == [1, 1]
