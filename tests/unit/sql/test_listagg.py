"""`dbt.listagg` in order on DuckDB (leads/macros/cross_db/duckdb.sql): one sorted list per group
gives what DuckDB's ordered `string_agg` gives, NULLs and limits included."""

from __future__ import annotations

import duckdb
import pytest

ROWS = """
    select * from (values
        (1, 'b', 2), (1, 'a', 3), (1, 'c', 1), (1, null, 0),
        (2, null, 5),
        (3, 'x', 1), (3, 'x', 2), (3, '', 3),
        (4, 'B', 1), (4, 'a', 1), (4, 'é', 2)
    ) as t (g, v, k)
"""


@pytest.mark.parametrize(
    ("measure", "order_by", "limit"),
    [
        ("v", "order by v", None),
        ("v", "order by k, v", None),
        ("v || '@' || k", "order by v, k", None),
        ("v", "order by v", 2),
    ],
)
def test_sorted_lists_join_as_the_ordered_string_agg_does(duckdb_macros, measure, order_by, limit):
    limit_arg = f", {limit}" if limit else ""
    ours = duckdb_macros.render(f"{{{{ dbt.listagg(\"{measure}\", \"','\", '{order_by}'{limit_arg}) }}}}")
    assert "string_agg" not in ours.lower()
    reference = f"string_agg({measure}, ',' {order_by})"
    if limit:
        reference = f"list_aggr((array_agg({measure} {order_by}) filter (where {measure} is not null))[1:{limit}], 'string_agg', ',')"
    con = duckdb.connect()
    got = con.execute(f"select g, {ours} from ({ROWS}) as t group by g order by g").fetchall()
    expected = con.execute(f"select g, {reference} from ({ROWS}) as t group by g order by g").fetchall()
    assert got == expected
    assert dict(got)[2] is None  # a group of NULLs only
