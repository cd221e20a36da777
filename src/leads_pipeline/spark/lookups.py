"""The lookups on Spark: new distinct values parsed where they are, partition by partition.

The parse functions are the same as on every engine (`stages/lookups/parsers`); `mapInArrow`
hands each partition's values to them as Arrow batches on the executors, and the parsed rows go
straight into the lookup table. Nothing is collected to the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.spark.warehouse import arrow_schema, spark_sql

if TYPE_CHECKING:
    from leads_pipeline.spark.warehouse import SparkWarehouse


def parse_batches(
    parse: Callable[[list[str]], pa.Table], schema: pa.Schema
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """A `mapInArrow` function: each batch of raw values becomes the batches of its parsed rows,
    in the lookup table's column order and types (Spark takes exactly its schema's Arrow types)."""

    def parsed(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            values = batch.column(0).to_pylist()
            if values:
                yield from parse(values).select(schema.names).cast(schema).to_batches()

    return parsed


def parse_new_values(warehouse: SparkWarehouse, table: str, parse: Callable[[list[str]], pa.Table], sql: str) -> int:
    """Parse the values `sql` selects into `lookup.<table>`; how many there were."""
    session = warehouse.session
    # Materialized first: once parsed rows land, the query's "not yet known" would select none.
    fresh = session.sql(spark_sql(sql)).localCheckpoint()
    count = fresh.count()
    if count:
        target = session.table(f"{names.LOOKUP}.{table}")
        parsed = fresh.mapInArrow(parse_batches(parse, arrow_schema(target)), target.schema)
        parsed.write.insertInto(f"{names.LOOKUP}.{table}")
    return count
