"""delete+insert on DuckDB: the rows of every key the new rows carry are replaced, looked up as a
distinct set of keys (a join of old rows to new rows per key multiplies a snapshot by itself)."""

from __future__ import annotations

import duckdb

STATEMENT = (
    "{{ get_delete_insert_merge_sql('target_rows', 'new_rows', ['source', 'snapshot_date'], "
    "[{'name': 'source'}, {'name': 'snapshot_date'}, {'name': 'value'}], none) }}"
)


def test_the_rows_of_each_new_key_are_replaced_and_the_others_kept(duckdb_macros):
    sql = duckdb_macros.render(STATEMENT)
    assert "select distinct source, snapshot_date" in sql and " using " not in sql.lower()
    con = duckdb.connect()
    con.execute("create table target_rows (source varchar, snapshot_date int, value int)")
    con.execute("create table new_rows as select * from target_rows")
    con.execute("insert into target_rows select 'a', d, v from range(1, 3) t(d), range(100) r(v)")
    con.execute("insert into target_rows select 'b', 1, v from range(100) r(v)")
    con.execute("insert into new_rows select 'a', 2, v from range(1000, 1050) r(v)")
    con.execute(sql)
    kept = con.execute("select source, snapshot_date, count(*), min(value) from target_rows group by all order by all")
    assert kept.fetchall() == [("a", 1, 100, 0), ("a", 2, 50, 1000), ("b", 1, 100, 0)]
