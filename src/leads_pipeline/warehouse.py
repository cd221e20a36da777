"""A small SQL connection to the target warehouse (DuckDB file, PostgreSQL or Spark), for the steps that
read or write tables outside dlt and dbt: status, lookups, identity resolution, audit tables."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from leads_pipeline.config.errors import QUOTED_PATH, ConfigError, LeadsError, LockedError, file_refused
from leads_pipeline.config.settings import Settings

# How DuckDB words the failures that are about the database file rather than the SQL.
LOCK_CONFLICT = re.compile(r"Could not set lock on file|Conflicting lock is held", re.IGNORECASE)
LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")
NOT_A_DATABASE = re.compile(
    r"not a valid DuckDB database file|Corrupt database file|Could not read enough bytes", re.IGNORECASE
)
REFUSALS = (errno.ENOSPC, errno.EACCES, errno.EROFS)


def duckdb_failure(exc: BaseException, database: Path) -> LeadsError | None:
    """What a DuckDB error about the database file means, and what to do; None for any other error.

    DuckDB raises one IOException for a file another process holds, a file that is not a database,
    and a file the system will not let it write: each needs a different act from the user.
    """
    text = str(exc)
    quoted = QUOTED_PATH.search(text)
    path = Path(quoted.group(1)) if quoted else database
    if LOCK_CONFLICT.search(text):
        holder = LOCK_HOLDER.search(text)
        who = f"another process (PID {holder.group(1)})" if holder else "another process"
        return LockedError(
            f"cannot open {database}: {who} has it open, and DuckDB lets one process write a database; "
            "wait for it to finish"
        )
    if NOT_A_DATABASE.search(text) and path in (database, database.with_name(database.name + ".wal")):
        return LeadsError(
            f"{path} is not a readable DuckDB database ({text.removeprefix('IO Error: ').splitlines()[0]}): "
            "restore it from a backup or delete it to start over"
        )
    for code in REFUSALS:
        if os.strerror(code) in text:
            return file_refused(path, code)
    return None


def _connect_postgres(settings: Settings) -> Any:
    """A connection with the DSN's settings; a DSN that does not lead to a server is a setting to fix."""
    import psycopg2

    try:
        return psycopg2.connect(settings.postgres_dsn)
    except psycopg2.Error as exc:
        reason = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise ConfigError(
            f"cannot connect to PostgreSQL at {settings.warehouse_label.removeprefix('postgres ')} with "
            f"LEADS_POSTGRES_DSN ({reason}); check the DSN and that the server is running"
        ) from None


class Warehouse:
    def __init__(self, settings: Settings, connection: Any) -> None:
        self.settings = settings
        self.target = settings.target
        self._con = connection

    @classmethod
    @contextmanager
    def open(cls, settings: Settings, read_only: bool = False) -> Iterator[Warehouse]:
        if settings.target == "spark":
            # The process's one Spark session: it outlives this block, as dbt-spark's does.
            from leads_pipeline.spark.session import register_new_raw_tables, spark_session
            from leads_pipeline.spark.warehouse import SparkWarehouse

            session = spark_session(settings)
            register_new_raw_tables(session, settings)
            yield SparkWarehouse(settings, session)  # type: ignore[misc]
            return
        if settings.target == "postgres":
            con = _connect_postgres(settings)
            con.autocommit = True
        else:
            if read_only and not settings.database.exists():
                raise LeadsError(f"no database at {settings.database}: run `leads run` first")
            settings.database.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(str(settings.database), read_only=read_only)
            except duckdb.Error as exc:
                explained = duckdb_failure(exc, settings.database)
                raise explained or LeadsError(f"cannot open {settings.database}: {exc}") from None
        warehouse = cls(settings, con)
        try:
            if not read_only:  # a read-only reader leaves the limit as it is
                warehouse.set_memory_limit(settings.memory_limit)
            yield warehouse
        finally:
            con.close()

    def set_memory_limit(self, limit: str) -> None:
        """DuckDB's memory limit, the database instance's (every connection to it in this process):
        DuckDB spills to disk past it. PostgreSQL manages its own memory."""
        if self.target == "duckdb":
            self.execute(f"SET memory_limit = '{limit}'")

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        if self.target == "postgres":
            with self._con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        return self._con.execute(sql, params or []).fetchall()

    def query_with_columns(self, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple]]:
        """A query's column names and rows."""
        if self.target == "postgres":
            with self._con.cursor() as cur:
                cur.execute(sql, params)
                return [d[0] for d in cur.description], cur.fetchall()
        cursor = self._con.execute(sql, params or [])
        return [d[0] for d in cursor.description], cursor.fetchall()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        if self.target == "postgres":
            with self._con.cursor() as cur:
                cur.execute(sql, params)
        else:
            self._con.execute(sql, params or [])

    def arrow(self, sql: str) -> pa.Table:
        if self.target == "postgres":
            with self._con.cursor() as cur:
                cur.execute(sql)
                names = [d[0] for d in cur.description]
                rows = cur.fetchall()
            return (
                pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])
                if rows
                else pa.table({n: pa.array([], pa.string()) for n in names})
            )
        return self._con.execute(sql).to_arrow_table()

    def arrow_batches(self, sql: str, rows: int) -> Iterator[pa.RecordBatch]:
        """A query's result in batches of `rows`, streamed: never the whole result in memory.

        The result is read on a connection of its own, so this one may write while it streams.
        """
        if self.target == "postgres":
            reader = _connect_postgres(self.settings)
            try:
                with reader.cursor(name="leads_stream") as cur:
                    cur.itersize = rows
                    cur.execute(sql)
                    while chunk := cur.fetchmany(rows):
                        names = [d[0] for d in cur.description]
                        yield pa.RecordBatch.from_pylist([dict(zip(names, r, strict=True)) for r in chunk])
            finally:
                reader.close()
            return
        cursor = self._con.cursor()
        try:
            yield from cursor.execute(sql).to_arrow_reader(rows)
        finally:
            cursor.close()

    def create_table_like(self, schema: str, table: str, arrow_schema: pa.Schema) -> None:
        """Create an empty table with the Arrow schema's columns, unless it exists."""
        columns = ", ".join(f'"{f.name}" {_sql_type(f.type, self.target)}' for f in arrow_schema)
        self.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        self.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{table} ({columns})")

    def append_arrow(self, schema: str, table: str, data: pa.Table) -> None:
        """Append an Arrow table to an existing table, matching columns by name."""
        if data.num_rows == 0:
            return
        names = ", ".join(f'"{n}"' for n in data.column_names)
        if self.target == "postgres":
            import io

            import pyarrow.csv as pacsv

            buffer = io.BytesIO()
            pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False))
            buffer.seek(0)
            with self._con.cursor() as cur:
                cur.copy_expert(f"COPY {schema}.{table} ({names}) FROM STDIN WITH (FORMAT csv)", buffer)
            return
        self._con.register("_arrow_batch", data)
        try:
            self._con.execute(f"INSERT INTO {schema}.{table} ({names}) SELECT {names} FROM _arrow_batch")
        finally:
            self._con.unregister("_arrow_batch")

    @property
    def mark(self) -> str:
        """The query parameter placeholder of this warehouse's driver (psycopg2 `%s`, DuckDB `?`)."""
        return "%s" if self.target == "postgres" else "?"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together, or nothing does."""
        if self.target == "postgres":
            self._con.autocommit = False
        else:
            self._con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            if self.target == "postgres":
                self._con.rollback()
                self._con.autocommit = True
            else:
                self._con.execute("ROLLBACK")
            raise
        if self.target == "postgres":
            self._con.commit()
            self._con.autocommit = True
        else:
            self._con.execute("COMMIT")

    def table_exists(self, schema: str, table: str) -> bool:
        rows = self.query(
            f"SELECT count(*) FROM information_schema.tables WHERE table_schema = {self.mark} "
            f"AND table_name = {self.mark}",
            [schema, table],
        )
        return bool(rows and rows[0][0])

    def tables(self, schema: str) -> list[str]:
        """The tables and views of a schema (none when it does not exist)."""
        rows = self.query(
            f"SELECT table_name FROM information_schema.tables WHERE table_schema = {self.mark} ORDER BY table_name",
            [schema],
        )
        return [r[0] for r in rows]

    def columns(self, schema: str, table: str) -> list[str]:
        rows = self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            f"{self.mark} AND table_name = {self.mark} ORDER BY ordinal_position",
            [schema, table],
        )
        return [r[0] for r in rows]


def _sql_type(arrow_type: pa.DataType, target: str) -> str:
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type):
        return "DOUBLE PRECISION" if target == "postgres" else "DOUBLE"
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    return "TEXT" if target == "postgres" else "VARCHAR"


def query_beside(
    warehouse: Any,
    relation: tuple[str, str, str | None],
    steps: Sequence[tuple[str, str]],
    sql: str,
    batch_rows: int = 200_000,
) -> list[tuple]:
    """Rows of the DuckDB query `sql`, which reads local files and a warehouse query as a relation.

    `relation` is (name, DuckDB column definitions, warehouse query; None: no rows, and the
    warehouse is not asked). `steps` are (name, DuckDB query) pairs, each kept as a temporary
    table before the next runs: DuckDB spills a large aggregate or join on its own, but not two
    large aggregates feeding one join in one plan.

    On a DuckDB warehouse it all runs in the warehouse itself, under its one memory limit (a second
    DuckDB instance would hold a limit of its own beside it), the relation a temporary view. On
    PostgreSQL or Spark, the relation's rows are streamed into an in-process DuckDB under the same
    limit, and the steps and the query run there.
    """
    name, columns, rows_sql = relation
    if warehouse.target == "duckdb":
        try:
            if rows_sql is None:
                warehouse.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
            else:
                warehouse.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {rows_sql}")
            for step, step_sql in steps:
                warehouse.execute(f"CREATE OR REPLACE TEMP TABLE {step} AS {step_sql}")
            return warehouse.query(sql)
        finally:
            for step, _ in reversed(steps):
                warehouse.execute(f"DROP TABLE IF EXISTS temp.{step}")
            warehouse.execute(f"DROP {'TABLE' if rows_sql is None else 'VIEW'} IF EXISTS temp.{name}")
    with duckdb.connect(config={"memory_limit": warehouse.settings.memory_limit}) as con:
        con.execute(f"CREATE TABLE {name} ({columns})")
        for batch in warehouse.arrow_batches(rows_sql, batch_rows) if rows_sql is not None else ():
            con.register("batch", batch)
            con.execute(f"INSERT INTO {name} SELECT * FROM batch")
            con.unregister("batch")
        for step, step_sql in steps:
            con.execute(f"CREATE TABLE {step} AS {step_sql}")
        return con.execute(sql).fetchall()
