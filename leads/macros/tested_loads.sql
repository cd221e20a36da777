{#-
    Data tests read only the rows no passing build has tested, where a test's verdict on a row
    cannot change until the row is written again. Two kinds of tables qualify:

    - Staging (`meta: {untested_loads_only: true}`, every staging test in dbt_project.yml): a
      staged row never changes until the rules do (then `leads` stages every row again). A build
      of `leads` in which every test passed records its staged loads in the audit table
      `tested_loads`; the tests then read only the other loads' rows.
    - The incremental models stamped with the record history's `compared_at` (the current
      records, the match keys, the history's events, `lead_changes`): a run writes again only the
      rows of what it compared, with its own stamp. A passing build records the latest stamp it
      tested in `tested_comparisons`; a test with `meta: {untested_since: {stamp: <column>}}`
      then reads the rows stamped after it (or not stamped at all). A uniqueness test also names
      a `key: [<columns>]` among the columns it tests, and reads every row of each key with a row
      stamped after it, the rows written before them included, so a row a hook failed to drop
      still meets its new one (a record number reused by a new record is found through the
      number, not the record's natural key). Only tests that judge each row or key on its own opt
      in: a relationship (a key left behind by a record that is gone) and a whole-column test
      (`not_all_null`) read every row, as do the tests of columns a narrow update moves in place
      (`last_seen_date`, `is_active`).

    The audit tables are emptied when the project or the lookups' parsers change and on a
    `--full-refresh` (stages/transform/state.py), and a failing test records nothing, so the next
    build tests again what it left. Only when `leads` runs dbt (LEADS_TESTED_LOADS): a `dbt test`
    by hand reads every row.
-#}
{% macro default__get_where_subquery(relation) -%}
    {#- dbt's own subquery (a test's `where` config), narrowed to the untested rows -#}
    {%- set tested = dbt.default__get_where_subquery(relation) -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- set since = meta.get('untested_since') -%}
    {%- if meta.get('untested_loads_only') -%}
        {%- set untested = untested_loads() -%}
        {%- if untested is not none -%}
            {%- do return('(select * from ' ~ tested ~ ' where ' ~ load_id_among('load_id', untested) ~ ') dbt_untested') -%}
        {%- endif -%}
    {%- elif since -%}
        {%- set stamp = tested_through() -%}
        {%- if stamp is not none -%}
            {%- set written = since['stamp'] ~ ' is null or ' ~ since['stamp'] ~ ' > ' ~ stamp -%}
            {%- if since.get('key') -%}
                {%- set key = since['key'] | join(', ') -%}
                {%- set written = '(' ~ key ~ ') in (select ' ~ key ~ ' from ' ~ tested ~ ' where ' ~ written ~ ')' -%}
            {%- endif -%}
            {%- do return('(select * from ' ~ tested ~ ' where ' ~ written ~ ') dbt_untested') -%}
        {%- endif -%}
    {%- endif -%}
    {%- do return(tested) -%}
{%- endmacro %}


{#- Whether the data tests may leave out what a passing build tested: only when `leads` runs
    dbt, and the audit table `relation` exists. -#}
{% macro narrows_tests(relation) -%}
    {{ return(execute and env_var('LEADS_TESTED_LOADS', '') != '' and relation_exists(relation)) }}
{%- endmacro %}


{#- The load ids of the loaded files no passing build has tested, or none when every row is to
    be tested (dbt run by hand, or no build recorded yet). A constant list the warehouse pushes
    down to the staged table's scan. -#}
{% macro untested_loads() -%}
    {%- set tested = source('audit', 'tested_loads') -%}
    {%- set ledger = source('raw', 'ingested_files') -%}
    {%- if not narrows_tests(tested) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select load_id from " ~ ledger ~ " where status = 'loaded' and load_id is not null"
        ~ " and load_id not in (select load_id from " ~ tested ~ ")"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}


{#- The latest history stamp (`compared_at`) up to which a passing build tested every row, as a
    constant timestamp, or none when every row is to be tested. -#}
{% macro tested_through() -%}
    {%- set tested = source('audit', 'tested_comparisons') -%}
    {%- if not narrows_tests(tested) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query('select max(compared_at) from ' ~ tested) -%}
    {%- set stamp = found.rows[0][0] -%}
    {%- if stamp is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ stamp.isoformat(sep=' ') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}
