"""The Spark target, on a real Spark session: dlt lands raw on the lake as Parquet, Spark reads it as
the `raw` tables, row for row what DuckDB loads, the Python steps' SQL runs through it, and a whole
`leads run` builds the marts DuckDB builds, row for row, from the real files and from a generated
two-month bucket.

One Spark session serves the module: a session's warehouse and metastore are fixed when it starts,
so every Spark `Settings` here names the same lake (`leads.spark` beside one database path), and
the generated bucket is run in it after the real files, once the lake has been emptied. Under CI
a missing Java or a missing `spark` extra fails these tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.identity import by_component
from leads_pipeline.stages.identity import resolve as whole
from leads_pipeline.stages.ingest.runner import run_ingest
from leads_pipeline.stages.lookups.refresh import LOOKUPS, refresh_lookups
from leads_pipeline.stages.transform.phases import run_transform
from leads_pipeline.warehouse import Warehouse
from tests.e2e.test_postgres_matches_duckdb import RAW_TABLES, table_as_text
from tests.integration.identity.conftest import copy_snapshots
from tests.unit.identity.test_by_component import NOW, random_graph, write_inputs

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


MARTS = ("leads", "lead_changes", "file_loads", "data_quality_issues")
# Which load wrote a file, and when it was loaded or replaced, belong to each run: of these only
# whether they are set is compared.
RUN_SPECIFIC = {"file_loads": ("load_id", "loaded_at", "replaced_at"), "data_quality_issues": ("load_id",)}
# A generated bucket: two monthly snapshots of a few hundred records per source, and a CRM export.
GENERATED = {"rows": 150, "months": 2, "seed": 31, "start": date(2024, 11, 1)}


@pytest.fixture(scope="module")
def work(spark_ready, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark")


def on_the_lake(work: Path, bucket: Path) -> Settings:
    """Spark settings for a bucket: always the module's one lake, whichever the bucket."""
    return Settings.load(bucket_url=str(bucket), database=work / "leads.duckdb", target="spark")


def empty_lake(settings: Settings) -> None:
    """Drop every table of the lake, the landed files and dlt's state: the next run starts afresh
    in the same session (a new warehouse would need a new process)."""
    from leads_pipeline.spark.session import local_path, spark_session

    session = spark_session(settings)
    for database in session.catalog.listDatabases():
        if database.name != "default":
            session.sql(f"DROP DATABASE IF EXISTS `{database.name}` CASCADE")
    session.catalog.clearCache()
    shutil.rmtree(local_path(settings.spark_raw_url), ignore_errors=True)
    shutil.rmtree(settings.state_dir, ignore_errors=True)


def marts_as_text(settings: Settings) -> dict[str, tuple[list[str], list[tuple]]]:
    """Each mart as sorted text rows; a run-specific column reads only as set or not."""
    marts = {}
    for table in MARTS:
        columns, rows = table_as_text(settings, "main_gold", table)
        run_specific = [columns.index(c) for c in RUN_SPECIFIC.get(table, ())]
        rows = [
            tuple(("set" if v is not None else None) if i in run_specific else v for i, v in enumerate(row))
            for row in rows
        ]
        marts[table] = (columns, sorted(rows, key=lambda row: tuple((v is None, v or "") for v in row)))
    return marts


def assert_marts_equal(on_spark: Settings, on_duckdb: Settings) -> None:
    spark_marts, duck_marts = marts_as_text(on_spark), marts_as_text(on_duckdb)
    for table in MARTS:
        spark_columns, spark_rows = spark_marts[table]
        duck_columns, duck_rows = duck_marts[table]
        assert spark_columns == duck_columns, table
        assert duck_rows, f"DuckDB built no {table}"
        missing = [row for row in duck_rows if row not in spark_rows][:3]
        extra = [row for row in spark_rows if row not in duck_rows][:3]
        assert spark_rows == duck_rows, f"{table}: DuckDB only {missing}; Spark only {extra}"
    lead_ids = [row[0] for row in spark_marts["leads"][1]]
    assert spark_marts["leads"][0][0] == "lead_id" and len(set(lead_ids)) == len(lead_ids)


def whole_run(settings: Settings) -> None:
    """`leads run`: ingest what is new, the lookups, every model and every data test."""
    report = execute(settings, "leads run", do_ingest=True, do_transform=True)
    assert report.transform is not None, report.transform_skipped
    assert not report.transform.failed_models
    assert not report.transform.failed_tests, [(test.name, test.message) for test in report.transform.failed_tests]


@pytest.fixture(scope="module")
def lake(work: Path, real_dir: Path) -> tuple[Settings, Settings]:
    """The real files ingested once on DuckDB and once on Spark."""
    on_duckdb = Settings.load(bucket_url=str(real_dir), database=work / "leads.duckdb", target="duckdb")
    on_spark = on_the_lake(work, real_dir)
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
    at = datetime(2024, 11, 1, 12, 30, 15, 250)
    with Warehouse.open(on_spark) as warehouse:
        warehouse.create_table_like("main_audit", "spark_check", schema)
        warehouse.append_arrow(
            "main_audit",
            "spark_check",
            pa.table({"n": [1, 2, 3], "name": ["a", "b's", None]}),  # columns by name; `at` missing: NULL
        )
        # a NULL integer stays NULL (not 0, not NaN), an int32 column is widened, a timestamp kept
        warehouse.append_arrow(
            "main_audit",
            "spark_check",
            pa.table({"at": pa.array([at, None]), "n": pa.array([None, 5], pa.int32()), "name": ["x", "y"]}),
        )
        assert warehouse.table_exists("main_audit", "spark_check")
        assert warehouse.columns("main_audit", "spark_check") == ["name", "n", "at"]
        assert "spark_check" in warehouse.tables("main_audit")
        warehouse.execute('UPDATE main_audit.spark_check SET "name" = ? WHERE n >= ?', ["z", 2])
        warehouse.execute("DELETE FROM main_audit.spark_check WHERE n = ?", [3])
        in_order = 'SELECT "name", n, "at" FROM main_audit.spark_check ORDER BY n NULLS LAST'
        rows = warehouse.query(in_order)
        assert rows == [("a", 1, None), ("z", 2, None), ("z", 5, None), ("x", None, at)]
        table = warehouse.arrow(in_order)
        assert table.schema == schema
        assert table.to_pylist() == [dict(zip(schema.names, row, strict=True)) for row in rows]
        assert warehouse.arrow("SELECT n FROM main_audit.spark_check WHERE FALSE").schema == pa.schema(
            [("n", pa.int64())]
        )
        batches = list(warehouse.arrow_batches(in_order, 3))
        assert [b.num_rows for b in batches] == [3, 1] and all(b.schema == schema for b in batches)
        assert pa.Table.from_batches(batches).to_pylist() == table.to_pylist()


def test_the_marts_built_on_spark_equal_duckdbs_from_the_real_files(lake):
    on_duckdb, on_spark = lake
    whole_run(on_duckdb)
    whole_run(on_spark)  # the files are in: the lookups and the whole dbt project, tests included
    assert_marts_equal(on_spark, on_duckdb)


def resolved_graph(warehouse: Warehouse, graph_schema: str) -> tuple[list[tuple], list[tuple], dict[str, int]]:
    """The record clusters and CRM matches the resolve step finds for the graph in `graph_schema`
    (not published), and its counts."""
    staged = whole.start_staging(warehouse, whole.RECORD_CLUSTERS_SCHEMA)
    report = whole.ResolveReport()
    try:
        by_component.stage_clusters(warehouse, staged, NOW, report, schema=graph_schema)
        whole.add_singletons(warehouse, NOW, graph_schema)
        matched = by_component.match_crm_leads(warehouse, staged, NOW, schema=graph_schema)
        matches = warehouse.query(
            f"SELECT lead_id, salesforce_lead_id, match_rule, resolved_at FROM identity.{whole.CRM_STAGED} "
            "ORDER BY lead_id"
        )
        assert len(matches) == matched
        clusters = warehouse.query(
            f"SELECT source, natural_key, lead_id, own_lead_id, is_anchor, match_rule, resolved_at FROM identity.{staged}"
        )
    finally:
        for table in (staged, whole.CRM_STAGED):
            warehouse.execute(f"DROP TABLE IF EXISTS identity.{table}")
    counted = ("components_in_python", "components_in_sql", "names_scored", "refused_merges", "python_records_peak")
    return sorted(clusters, key=repr), matches, {name: getattr(report, name) for name in counted}


def test_components_and_crm_leads_resolved_on_the_executors_give_what_duckdb_gives(lake, tmp_path, monkeypatch):
    """Batches of whole components and of whole CRM leads go to `applyInPandas` on Spark, never
    through the driver's batches, and give the clusters, CRM matches and counts that the driver's
    batches give on DuckDB."""
    _, on_spark = lake
    graph_schema = "resolve_graph"
    # Small batches: several batches of whole components and of CRM leads on each engine.
    monkeypatch.setattr(by_component, "BATCH_RECORDS", 7)
    monkeypatch.setattr(by_component, "SPARK_BATCH_RECORDS", 7)
    monkeypatch.setattr(by_component, "CRM_BATCH_LEADS", 2)
    graph = random_graph(0)
    with Warehouse.open(Settings.load(database=tmp_path / "graph.duckdb", target="duckdb")) as warehouse:
        write_inputs(warehouse, graph, graph_schema)
        expected = resolved_graph(warehouse, graph_schema)

    def on_the_driver(*_args, **_kwargs):
        raise AssertionError("a batch was read to the driver")

    monkeypatch.setattr(by_component, "_resolve_batch", on_the_driver)
    monkeypatch.setattr(by_component, "_crm_batch_choices", on_the_driver)
    with Warehouse.open(on_spark) as warehouse:
        write_inputs(warehouse, graph, graph_schema)
        try:
            assert resolved_graph(warehouse, graph_schema) == expected
        finally:
            warehouse.execute(f"DROP DATABASE IF EXISTS {graph_schema} CASCADE")
    clusters, matches, counts = expected
    assert counts["components_in_python"] > 1 and counts["names_scored"] > 0
    assert len({lead for _, _, lead, *_ in clusters}) < len(clusters)  # records merged
    assert len(matches) > 1


def models_only_run(settings: Settings) -> None:
    """Ingest and the lookups, then every model without dbt's tests: the unit tests, the slowest
    part on Spark, do not depend on the data and ran on the real files already."""
    execute(settings, "leads ingest", do_ingest=True, do_transform=False)
    report = run_transform(settings, with_tests=False)
    assert report.identity is not None and not report.failed_models


# Last in the module: it empties the lake the tests above use.
def test_the_marts_built_on_spark_equal_duckdbs_month_after_month(work, tmp_path):
    """A generated bucket delivered a month at a time: the second run adds to what the first
    built (staging's appends, the history's and the held-back rows' partitions replaced)."""
    generated, bucket = tmp_path / "generated", tmp_path / "bucket"
    summary = generate_bucket(generated, truth=False, **GENERATED)
    on_duckdb = Settings.load(bucket_url=str(bucket), database=tmp_path / "leads.duckdb", target="duckdb")
    on_spark = on_the_lake(work, bucket)
    empty_lake(on_spark)
    for snapshot in summary.snapshots:
        copy_snapshots(generated, bucket, [snapshot.strftime("%Y%m%d")])
        models_only_run(on_duckdb)
        models_only_run(on_spark)
        assert_marts_equal(on_spark, on_duckdb)  # the real files left in the lake would show here
    with Warehouse.open(on_spark) as warehouse:
        loaded = warehouse.query("SELECT count(DISTINCT snapshot_date) FROM main_gold.file_loads")[0][0]
    assert loaded == len(summary.snapshots) == GENERATED["months"]
