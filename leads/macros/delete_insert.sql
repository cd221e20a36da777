{#-
    delete+insert on DuckDB: dbt's own SQL, which deletes the rows whose `unique_key` values the
    new rows carry by looking those values up as a distinct set.

    dbt-duckdb's version deletes with a join of every old row to every new row of the same key.
    The incremental models here key whole batches (every event of a snapshot, every held-back row
    of a file), so when a run recomputes batches it already holds (changed rules, a late older
    file), that join is a million rows times a million per snapshot at 1 M records, and the delete
    does not finish. The root project's macro takes the adapter's place in dispatch.
-#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}
