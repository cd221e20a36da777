{#-
    Incremental strategy `replace_keys`: delete the rows whose `unique_key` values the new rows
    carry, then insert the new rows. The models that use it key whole batches (every event of a
    snapshot, every held-back row of a file), not single rows.

    It is dbt's own delete+insert, which looks the key values up as a distinct set. dbt-duckdb's
    version joins every old row to every new row of the same key instead: when a run recomputes
    snapshots it had already compared (changed rules, a late older file), that is a million rows
    times a million per snapshot at 1 M records, and the delete does not finish.
-#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {{ default__get_delete_insert_merge_sql(
        arg_dict["target_relation"],
        arg_dict["temp_relation"],
        arg_dict["unique_key"],
        arg_dict["dest_columns"],
        arg_dict["incremental_predicates"],
    ) }}
{%- endmacro %}
