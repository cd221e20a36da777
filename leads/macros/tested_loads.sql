{#-
    Staging's data tests read only the rows no passing build has tested.

    Staging is append-only and a staged row never changes until the rules do (then `leads`
    stages every row again). So a test of staging rows that passed on a load's rows holds until
    the tests or the rules change, and a month's tests need to read only that month's loads, not
    every month staging holds. A build of `leads` in which every test passed records its staged
    loads in the audit table `tested_loads` (stages/transform/state.py), which it empties when the
    project or the lookups' parsers change and on a `--full-refresh`; a failing test leaves its
    loads untested, so the next build tests them again.

    A uniqueness test then looks for duplicates among the untested rows only: what it guards
    against, a lookup join that repeats a raw row, repeats it within its load.

    Tests opt in with `meta: {untested_loads_only: true}` (dbt_project.yml: every staging test),
    and only when `leads` runs dbt (LEADS_TESTED_LOADS); a `dbt test` by hand reads every row.
-#}
{% macro default__get_where_subquery(relation) -%}
    {#- dbt's own subquery (a test's `where` config), narrowed to the untested loads -#}
    {%- set tested = dbt.default__get_where_subquery(relation) -%}
    {%- set untested = untested_loads() if (config.get('meta') or {}).get('untested_loads_only') else none -%}
    {%- if untested is none -%}
        {%- do return(tested) -%}
    {%- endif -%}
    {%- do return('(select * from ' ~ tested ~ ' where ' ~ load_id_among('load_id', untested) ~ ') dbt_untested') -%}
{%- endmacro %}


{#- The load ids of the loaded files no passing build has tested, or none when every row is to
    be tested (dbt run by hand, or no build recorded yet). A constant list the warehouse pushes
    down to the staged table's scan. -#}
{% macro untested_loads() -%}
    {%- set tested = source('audit', 'tested_loads') -%}
    {%- set ledger = source('raw', 'ingested_files') -%}
    {%- if not execute or env_var('LEADS_TESTED_LOADS', '') == '' or not relation_exists(tested) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select load_id from " ~ ledger ~ " where status = 'loaded' and load_id is not null"
        ~ " and load_id not in (select load_id from " ~ tested ~ ")"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}
