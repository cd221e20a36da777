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
{% macro new_loads_only(raw_relation, load_id_column='_dlt_load_id', staged_load_id_column='load_id') -%}
    {%- set load_id = adapter.quote(load_id_column) -%}
    {%- set staged = 'select distinct ' ~ staged_load_id_column ~ ' from ' ~ this
        ~ ' where ' ~ staged_load_id_column ~ ' is not null' -%}
    {%- if execute and relation_exists(raw_relation) -%}
        {#- Looked up when the model is compiled, before its hooks copy anything: a constant list
            the warehouse pushes down to the raw table, so a run reads only the new loads' rows,
            however many months the table holds. -#}
        {%- set found = run_query(
            'select distinct ' ~ load_id ~ ' from ' ~ raw_relation ~ ' where ' ~ load_id ~ ' not in (' ~ staged ~ ')'
        ) -%}
    {{ load_id_among(load_id, found.columns[0].values() | list) }}
    {%- else -%}
    {{ load_id }} not in ({{ staged }})
    {%- endif -%}
{%- endmacro %}


{#- `column` is one of `loads` (load ids; none: any load), as a constant the warehouse pushes down
    to the tables it scans. -#}
{% macro load_id_among(column, loads) -%}
    {%- if loads is none -%}
    1 = 1
    {%- elif loads -%}
    {{ column }} in ({% for load in loads %}'{{ load }}'{{ ", " if not loop.last }}{% endfor %})
    {%- else -%}
    1 = 0
    {%- endif -%}
{%- endmacro %}
