{#-
    Staging models are incremental: a run stages only the raw rows of loads it has not staged yet.

    A staging row is a function of its raw row alone (and of lookup rows, which never change once
    parsed), so appending the new loads' rows gives the same table as rebuilding it; the records a
    new load brings unchanged are copied by the model's hooks rather than computed
    (macros/unchanged_records.sql). The filter
    compares load ids as a set, not by order, so a load that finishes late (a killed run's package,
    completed by the next run) is still staged. When the dbt project changes, `leads` rebuilds the
    staging models in full first (`--full-refresh`), so a changed rule reaches every row.
-#}
{% macro new_loads_only(load_id_column='_dlt_load_id', staged_load_id_column='load_id', copied=none) -%}
    {{ adapter.quote(load_id_column) }} not in (
        select distinct {{ staged_load_id_column }} from {{ this }} where {{ staged_load_id_column }} is not null
        {%- if copied is not none %}
            {#- loads whose unchanged records were copied in this run (`copied`) are still new #}
            and {{ staged_load_id_column }} not in (select load_id from {{ copied }})
        {%- endif %}
    )
{%- endmacro %}
