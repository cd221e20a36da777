"""Build lookup tables (raw value -> parsed columns + problem) for the dbt staging models.

The normalize step hands each rule the distinct raw values of one column; the rule's batch
function returns one row per distinct non-NULL raw value. NULL raw values get no row: a NULL
joins to nothing and stays NULL in staging, with nothing to report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import pyarrow as pa

T = TypeVar("T")

RawValues = pa.Array | pa.ChunkedArray | Iterable[str | None]


def distinct_strings(values: RawValues) -> list[str]:
    """Distinct non-NULL strings in first-seen order (duplicates would fan out the join)."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        values = values.to_pylist()
    seen = dict.fromkeys(v for v in values if v is not None)
    for value in seen:
        if not isinstance(value, str):
            raise TypeError(f"expected raw text values, got {type(value).__name__}: {value!r}")
    return list(seen)


def lookup_table(
    values: RawValues,
    parse: Callable[[str], T],
    columns: Sequence[str],
) -> pa.Table:
    """Apply `parse` to each distinct raw value; take `columns` from each result's attributes."""
    raws = distinct_strings(values)
    return results_table(raws, [parse(raw) for raw in raws], columns)


def results_table(raws: Sequence[str], results: Sequence[Any], columns: Sequence[str]) -> pa.Table:
    """One row per raw value: the value, then `columns` taken from its result's attributes."""
    data: dict[str, Sequence[Any]] = {"raw_value": raws}
    for column in columns:
        data[column] = [getattr(result, column) for result in results]
    return pa.table({name: pa.array(col, type=pa.string()) for name, col in data.items()})
