"""The `Warehouse` of the Spark target: the same small SQL interface, run by Spark SQL.

The Python steps write their SQL once for every engine, with `"quoted"` names and `?` parameters.
Spark reads double quotes as a string and binds no `?` in DDL or DML, so each statement is
rewritten first: quoted names get backticks, parameters become literals, `DOUBLE PRECISION` is
`DOUBLE`. Plain Parquet tables have
no DELETE or UPDATE, so those statements rewrite the (small, bookkeeping) table whole, and there
are no transactions: each statement stands alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from leads_pipeline.config.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

DOUBLE_PRECISION = re.compile(r"\bDOUBLE\s+PRECISION\b", re.IGNORECASE)
# Spark compares strings by their bytes, which is the "C" collation the identity step asks for.
C_COLLATION = re.compile(r"\s+COLLATE\s+\"C\"", re.IGNORECASE)
DELETE = re.compile(r"\s*DELETE\s+FROM\s+(?P<table>\S+)(?:\s+WHERE\s+(?P<where>.+))?\s*$", re.IGNORECASE | re.DOTALL)
UPDATE = re.compile(r"\s*UPDATE\s+(?P<table>\S+)\s+SET\s+(?P<rest>.+?)\s*$", re.IGNORECASE | re.DOTALL)


def literal(value: Any) -> str:
    """A Python value as a Spark SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return repr(value) if not isinstance(value, Decimal) else str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def spark_sql(sql: str, params: Sequence[Any] | None = None) -> str:
    """The statement in Spark's spelling: backticks for `"names"`, literals for `?` parameters."""
    sql = C_COLLATION.sub("", sql)
    values = iter(params or [])
    out: list[str] = []
    i = 0
    while i < len(sql):
        char = sql[i]
        if char == "'":  # a string literal: copied as it is
            end = i + 1
            while end < len(sql) and not (sql[end] == "'" and sql[end - 1] != "\\"):
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
            continue
        if char == '"':
            end = sql.index('"', i + 1)
            out.append(f"`{sql[i + 1 : end]}`")
            i = end + 1
            continue
        out.append(literal(next(values)) if char == "?" else char)
        i += 1
    # PostgreSQL's spelling of the double type, which DuckDB reads too; Spark knows only DOUBLE.
    return DOUBLE_PRECISION.sub("DOUBLE", "".join(out))


def set_and_where(rest: str) -> tuple[str, str | None]:
    """An UPDATE's assignments and its condition, split at the WHERE outside quotes."""
    quote = None
    for i, char in enumerate(rest):
        if quote:
            quote = None if char == quote and rest[i - 1] != "\\" else quote
        elif char in "'\"`":
            quote = char
        elif re.match(r"\sWHERE\s", rest[i : i + 7], re.IGNORECASE):
            return rest[:i].strip(), rest[i + 7 :].strip()
    return rest.strip(), None


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on the separator outside quotes and parentheses (the assignments of an UPDATE)."""
    parts, depth, quote, start = [], 0, None, 0
    for i, char in enumerate(text):
        if quote:
            quote = None if char == quote and text[i - 1] != "\\" else quote
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


class SparkWarehouse:
    """`Warehouse`'s interface over a Spark session."""

    target = "spark"
    mark = "?"

    def __init__(self, settings: Settings, session: SparkSession) -> None:
        self.settings = settings
        self.session = session

    def set_memory_limit(self, limit: str) -> None:
        """Spark's memory is its own configuration (LEADS_SPARK_CONF)."""

    def _frame(self, sql: str, params: Sequence[Any] | None = None) -> DataFrame:
        statement = spark_sql(sql, params)
        if rewritten := self._rewrite(statement):
            table, frame = rewritten
            frame = frame.localCheckpoint()  # read the table whole before it is overwritten
            frame.write.insertInto(table, overwrite=True)
            return self.session.sql("SELECT 1 WHERE FALSE")
        return self.session.sql(statement)

    def _rewrite(self, statement: str) -> tuple[str, DataFrame] | None:
        """A DELETE or UPDATE as the table's new content: Parquet tables change only whole."""
        if match := DELETE.fullmatch(statement):
            table, where = match["table"], match["where"] or "TRUE"
            return table, self.session.sql(f"SELECT * FROM {table} WHERE NOT coalesce(({where}), FALSE)")
        if match := UPDATE.fullmatch(statement):
            assignments, condition = set_and_where(match["rest"])
            table, where = match["table"], condition or "TRUE"
            assigned = dict(
                (name.strip().strip("`"), value.strip())
                for name, _, value in (a.partition("=") for a in split_top_level(assignments))
            )
            columns = self.session.table(table).columns
            select = ", ".join(
                f"CASE WHEN coalesce(({where}), FALSE) THEN {assigned[c]} ELSE `{c}` END AS `{c}`"
                if c in assigned
                else f"`{c}`"
                for c in columns
            )
            return table, self.session.sql(f"SELECT {select} FROM {table}")
        return None

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        return [tuple(row) for row in self._frame(sql, params).collect()]

    def query_with_columns(self, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple]]:
        frame = self._frame(sql, params)
        return frame.columns, [tuple(row) for row in frame.collect()]

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self._frame(sql, params).collect()

    def arrow(self, sql: str) -> pa.Table:
        return to_arrow(self._frame(sql))

    def arrow_batches(self, sql: str, rows: int) -> Iterator[pa.RecordBatch]:
        """The result in batches of `rows`, one partition at a time on the driver."""
        frame = self._frame(sql)
        schema = arrow_schema(frame)
        pending: list[pa.Table] = []
        held = 0
        for table in partition_tables(frame):
            pending.append(table)
            held += table.num_rows
            while held >= rows:
                whole = pa.concat_tables(pending)
                yield from whole.slice(0, rows).cast(schema).to_batches(max_chunksize=rows)
                rest = whole.slice(rows)
                pending, held = [rest], rest.num_rows
        if held:
            yield from pa.concat_tables(pending).cast(schema).to_batches(max_chunksize=rows)

    def create_table_like(self, schema: str, table: str, arrow: pa.Schema) -> None:
        columns = ", ".join(f"`{f.name}` {spark_type(f.type)}" for f in arrow)
        self.execute(f"CREATE DATABASE IF NOT EXISTS {schema}")
        self.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{table} ({columns}) USING parquet")

    def append_arrow(self, schema: str, table: str, data: pa.Table) -> None:
        """Append rows to a table, matching columns by name (a column the data lacks is NULL)."""
        if data.num_rows == 0:
            return
        target = self.session.table(f"{schema}.{table}")
        wanted = spark_arrow_schema(target)
        columns = [
            data.column(f.name).cast(f.type) if f.name in data.column_names else pa.nulls(data.num_rows, f.type)
            for f in wanted
        ]
        frame = arrow_frame(self.session, pa.Table.from_arrays(columns, schema=wanted), target.schema)
        frame.write.insertInto(f"{schema}.{table}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """No transactions on Parquet tables: the statements inside apply one by one."""
        yield

    def table_exists(self, schema: str, table: str) -> bool:
        return self.session.catalog.tableExists(f"{schema}.{table}")

    def tables(self, schema: str) -> list[str]:
        if not self.session.catalog.databaseExists(schema):
            return []
        return sorted(t.name for t in self.session.catalog.listTables(schema))

    def columns(self, schema: str, table: str) -> list[str]:
        if not self.table_exists(schema, table):
            return []
        return self.session.table(f"{schema}.{table}").columns


def spark_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type):
        return "DOUBLE"
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    return "STRING"


def arrow_schema(frame: DataFrame) -> pa.Schema:
    """The Arrow types of a Spark frame's columns (the simple types the steps use)."""
    from pyspark.sql import types as T

    mapping = {
        T.StringType: pa.string(),
        T.BooleanType: pa.bool_(),
        T.LongType: pa.int64(),
        T.IntegerType: pa.int32(),
        T.ShortType: pa.int16(),
        T.ByteType: pa.int8(),
        T.DoubleType: pa.float64(),
        T.FloatType: pa.float32(),
        T.DateType: pa.date32(),
        T.TimestampType: pa.timestamp("us"),
        T.TimestampNTZType: pa.timestamp("us"),
    }
    fields = []
    for field in frame.schema.fields:
        kind = mapping.get(type(field.dataType))
        if kind is None and isinstance(field.dataType, T.DecimalType):
            kind = pa.decimal128(field.dataType.precision, field.dataType.scale)
        fields.append(pa.field(field.name, kind if kind is not None else pa.string()))
    return pa.schema(fields)


def spark_arrow_schema(frame: DataFrame) -> pa.Schema:
    """The Arrow types Spark itself exchanges for a frame's columns (`mapInArrow` takes no other)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(frame.schema)


def ipc_bytes(data: pa.Table | pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, data.schema) as writer:
        writer.write(data)
    return sink.getvalue().to_pybytes()


# Rows per Arrow stream handed to Spark: one task's input when a table is appended.
ARROW_CHUNK_ROWS = 100_000


def arrow_frame(session: SparkSession, data: pa.Table, schema: StructType) -> DataFrame:
    """A Spark frame of an Arrow table in `schema`'s types, without a Python object per row: the
    table travels as Arrow streams that `mapInArrow` opens on the executors (NULLs stay NULL in
    every type, integers included)."""
    chunks = [(ipc_bytes(batch),) for batch in data.to_batches(max_chunksize=ARROW_CHUNK_ROWS)]
    streams = session.createDataFrame(chunks, "stream binary")

    def opened(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for stream in batch.column(0).to_pylist():
                yield from pa.ipc.open_stream(stream).read_all().to_batches()

    return streams.mapInArrow(opened, schema)


def partition_tables(frame: DataFrame) -> Iterator[pa.Table]:
    """The frame's rows as Arrow tables, partition by partition (in order): each partition is
    written as one Arrow stream on its executor and read on the driver."""
    from pyspark.sql import types as T

    def streamed(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        collected = list(batches)
        if collected:
            stream = ipc_bytes(pa.Table.from_batches(collected))
            yield pa.RecordBatch.from_arrays([pa.array([stream], pa.binary())], ["stream"])

    encoded = frame.mapInArrow(streamed, T.StructType([T.StructField("stream", T.BinaryType())]))
    for row in encoded.toLocalIterator():
        yield pa.ipc.open_stream(row["stream"]).read_all()


def to_arrow(frame: DataFrame) -> pa.Table:
    """The whole result as Arrow, collected by Spark's own Arrow transfer, in the simple types of
    `arrow_schema` (a timestamp without its UTC zone, as `collect` gives it)."""
    schema = arrow_schema(frame)
    batches = frame._collect_as_arrow()  # noqa: SLF001 - what DataFrame.toPandas uses with Arrow on
    if not batches:
        return schema.empty_table()
    return pa.Table.from_batches(batches).cast(schema)
