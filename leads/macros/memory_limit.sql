{#-
    One memory limit for every engine: `leads` passes LEADS_MEMORY_LIMIT (Settings.memory_limit) to
    each dbt invocation, and DuckDB spills to disk past it instead of growing with the data. A
    DuckDB setting is the whole database instance's, so one statement at the start of a run holds
    every thread. PostgreSQL manages its own memory; a plain `dbt run` without the variable keeps
    DuckDB's own default.
-#}
{% macro set_memory_limit() -%}
    {%- if target.type == 'duckdb' and env_var('LEADS_MEMORY_LIMIT', '') -%}
    set memory_limit = '{{ env_var('LEADS_MEMORY_LIMIT') }}'
    {%- else -%}
    select 1 as nothing_to_set
    {%- endif -%}
{%- endmacro %}
