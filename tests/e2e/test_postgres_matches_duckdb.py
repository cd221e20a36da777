"""The whole pipeline on PostgreSQL builds the same leads as on DuckDB, from the real files.

Each test gets its own PostgreSQL database (the `postgres_dsn` fixture creates it and drops it
after), so runs never collide.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.report import QUERIES, collect_report, write_report
from leads_pipeline.run.pipeline import execute
from leads_pipeline.warehouse import Warehouse

pytestmark = pytest.mark.slow  # builds the dbt project

RAW_TABLES = ("source_1_raw", "source_2_raw", "source_3_raw", "salesforce_raw")
# Columns that say when a run did its work, not what it found.
RUN_SPECIFIC = {"_dlt_load_id", "_dlt_id", "compared_at"}


def as_text(value: object) -> str | None:
    """One text form of a value, whichever driver returned it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def table_as_text(settings: Settings, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    with Warehouse.open(settings) as warehouse:
        columns = [c for c in warehouse.columns(schema, table) if c not in RUN_SPECIFIC]
        quoted = ", ".join(f'"{c}"' for c in columns)
        rows = warehouse.query(f"SELECT {quoted} FROM {schema}.{table}")
    text_rows = [tuple(as_text(v) for v in row) for row in rows]
    return columns, sorted(text_rows, key=lambda row: tuple((v is None, v or "") for v in row))


def test_postgres_builds_the_same_leads_as_duckdb(real_bucket, tmp_path, postgres_dsn, monkeypatch):
    monkeypatch.setenv("LEADS_POSTGRES_DSN", postgres_dsn)
    on_duckdb = Settings.load(bucket_url=str(real_bucket), database=tmp_path / "leads.duckdb", target="duckdb")
    on_postgres = Settings.load(bucket_url=str(real_bucket), database=tmp_path / "unused.duckdb", target="postgres")
    assert on_postgres.postgres_dsn == postgres_dsn

    duck = execute(on_duckdb, "leads run", True, True)
    pg = execute(on_postgres, "leads run", True, True)

    assert pg.rows_loaded == duck.rows_loaded > 0
    assert not pg.transform.failed_tests and not pg.transform.failed_models
    assert not on_postgres.database.exists(), "a postgres run must not write the DuckDB file"
    with duckdb.connect(str(on_duckdb.database)) as con:
        assert con.execute("SELECT count(*) FROM main_gold.leads").fetchone()[0] > 0

    duck_columns, duck_rows = table_as_text(on_duckdb, "main_gold", "leads")
    pg_columns, pg_rows = table_as_text(on_postgres, "main_gold", "leads")
    assert pg_columns == duck_columns
    assert pg_rows == duck_rows
    assert len({row[duck_columns.index("lead_id")] for row in pg_rows}) == len(pg_rows)

    # raw is raw on both: the same text, empty cells and NULLs, record numbers and lineage
    for table in RAW_TABLES:
        assert table_as_text(on_postgres, "raw", table) == table_as_text(on_duckdb, "raw", table), table

    # the report shows the same figures from either database (rows in either engine's collation order)
    duck_report, pg_report = collect_report(on_duckdb), collect_report(on_postgres)
    for key in QUERIES:
        duck_section, pg_section = duck_report.section(key), pg_report.section(key)
        assert pg_section.columns == duck_section.columns and pg_section.missing is None, key
        assert sorted(pg_section.rows) == sorted(duck_section.rows), key
    assert {k: v for k, v in pg_report.summary.items() if k != "open_alerts"} == {
        k: v for k, v in duck_report.summary.items() if k != "open_alerts"
    }
    assert write_report(on_postgres) == on_postgres.report_path and on_postgres.report_path.is_file()

    # a second run finds nothing new and skips the transform, on PostgreSQL too
    again = execute(on_postgres, "leads run", True, True)
    assert again.files_loaded == 0 and again.transform_skipped
