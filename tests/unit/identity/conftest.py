"""A warehouse of each target for the identity tests that run SQL: DuckDB in memory, PostgreSQL fresh."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import duckdb
import pytest

from leads_pipeline.warehouse import Warehouse


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request) -> Iterator[Warehouse]:
    if request.param == "duckdb":
        yield Warehouse(SimpleNamespace(target="duckdb"), duckdb.connect())
        return
    import psycopg2

    con = psycopg2.connect(request.getfixturevalue("postgres_dsn"))
    con.autocommit = True
    try:
        yield Warehouse(SimpleNamespace(target="postgres"), con)
    finally:
        con.close()
