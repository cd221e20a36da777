{#-
    The Python-parsed lookup tables (schema `lookup`, written by `leads ingest`): one row per
    distinct raw value, its parsed columns and a `problem` (NULL when the value parsed). Staging
    models left-join them on `raw_value` = the raw column. The column lists here are the ones
    `leads_pipeline.normalize` writes (a test keeps them equal).
-#}
{% macro lookup_columns() -%}
    {{ return({
        'phones': ['raw_value', 'e164', 'extension', 'problem'],
        'one_line_addresses': [
            'raw_value', 'address1', 'address2', 'city', 'state', 'zip', 'street_number',
            'address_key', 'problem',
        ],
        'street_lines': ['raw_value', 'address1', 'address2', 'street_number', 'street_key', 'problem'],
        'people': ['raw_value', 'first_name', 'last_name', 'full_name', 'problem'],
        'caregivers': ['raw_value', 'first_name', 'last_name', 'title', 'problem'],
        'licensees': ['raw_value', 'licensee_name', 'company', 'first_name', 'last_name', 'problem'],
        'facility_names': ['raw_value', 'name_key', 'repaired', 'problem'],
    }) }}
{%- endmacro %}


{#- A lookup table's columns, each with its type (text). -#}
{% macro lookup_typed_columns(name) -%}
    {%- set typed = [] -%}
    {%- for column in lookup_columns()[name] -%}{%- do typed.append((column, dbt.type_string())) -%}{%- endfor -%}
    {{ return(typed) }}
{%- endmacro %}


{#- One lookup table, all text columns. It must exist (`leads ingest` writes every lookup table):
    read as empty, it would make every value parsed from it NULL. `among` names the columns of the
    model's `source` whose values it looks up: only their rows are read, so a join holds the
    values of the rows it stages, not every value ever parsed (macros/batches.sql). -#}
{% macro lookup_source(name, among) -%}
    {%- set typed = lookup_typed_columns(name) -%}
    {%- set among = [among] if among is string else among %}
    select * from (
    {%- if execute and model.resource_type == 'unit_test' %}
    select {% for column, type in typed %}{{ adapter.quote(column) }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ source('lookup', name) }}
    {%- elif narrows_lookups() %}
    select * from {{ narrowed_lookup_relation(name) }} as narrowed_rows /* narrowed lookup {{ name }} among {{ among | join(',') }} */
    {%- else %}
    {{ select_columns(source('lookup', name), typed, required=true) }}
    {%- endif %}
    ) as lookup_rows
    where lookup_rows.raw_value in (
    {%- for column in among %}
        select {{ column }} from source{{ " union all" if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}


{#-
    A staging model adding new loads reads each lookup narrowed to the values of the records it
    computes: its hooks copy those rows into a work table beside the model once (`narrow_lookups`),
    and each batch of raw rows then reads that table, not the lookup, which holds every value ever
    parsed (at 10 M records per source, 37 M phones), so a load's batches read the lookups once.
-#}
{% macro narrows_lookups() -%}
    {{ return(execute and model.resource_type == 'model' and is_incremental()) }}
{%- endmacro %}


{% macro narrowed_lookup_relation(name) -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__lookup_' ~ name})) }}
{%- endmacro %}


{#- The narrowed lookups the model's SQL reads, each with the raw columns it is read among
    (comma-separated), from the comment `lookup_source` writes beside each. -#}
{% macro narrowed_lookups_read() -%}
    {{ return(modules.re.findall('/[*] narrowed lookup ([a-z_]+) among ([a-z0-9_,]+) [*]/', sql or '') | unique | list) }}
{%- endmacro %}


{#- Pre-hook, before the unchanged records are copied (the new loads are those not staged yet):
    each lookup the model reads (its SQL says which, and among which raw columns), narrowed to the
    values of the new loads' records that are not copied unchanged. -#}
{% macro narrow_lookups() -%}
    {%- if narrows_lookups() -%}
    {%- set raw_relation = source('raw', staging_source_id() ~ '_raw') -%}
    {%- set new_loads = new_loads_only(raw_relation) -%}
    {%- set copies = copies_unchanged_records() -%}
    {%- for name, among in narrowed_lookups_read() -%}
    {%- set columns = [('_record_number', dbt.type_bigint()), ('_relative_path', dbt.type_string()),
        ('_dlt_load_id', dbt.type_string())] -%}
    {%- for column in among.split(',') -%}{%- do columns.append((column, dbt.type_string())) -%}{%- endfor -%}
    {%- set typed = lookup_typed_columns(name) -%}
    {%- set raw_values = rows_to_compute(raw_relation, columns, [new_loads], copies) -%}
    {%- do run_query('drop table if exists ' ~ narrowed_lookup_relation(name)) -%}
    {%- set narrowed -%}
        with new_rows as ({{ raw_values }})
        select * from ({{ select_columns(source('lookup', name), typed, required=true) }}) as lookup_rows
        where lookup_rows.raw_value in (
        {%- for column in among.split(',') %}
            select {{ column }} from new_rows{{ " union all" if not loop.last }}
        {%- endfor %}
        )
    {%- endset -%}
    {%- do run_query(create_work_table(narrowed_lookup_relation(name), narrowed)) -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- A staging model's query as it can be planned before its hooks make their work tables: the
    unchanged records and the narrowed lookups replaced by stand-ins of the same columns. -#}
{% macro without_work_tables(staged) -%}
    {%- set planned = namespace(sql=staged | replace(unchanged_records_relation() | string, no_unchanged_records())) -%}
    {%- for name in lookup_columns() -%}
    {%- set typed = lookup_typed_columns(name) -%}
    {%- set planned.sql = planned.sql | replace(
        narrowed_lookup_relation(name) | string, '(' ~ select_columns(source('lookup', name), typed, required=true) ~ ')'
    ) -%}
    {%- endfor -%}
    {{ return(planned.sql) }}
{%- endmacro %}


{#- Post-hook: the narrowed lookups go once the model's batches are in. -#}
{% macro drop_narrowed_lookups() -%}
    {%- if narrows_lookups() -%}
    {%- for name, among in narrowed_lookups_read() -%}
    {%- do run_query('drop table if exists ' ~ narrowed_lookup_relation(name)) -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The problem of a looked-up value: the lookup's own, or `not_parsed` when the raw value has no
    row in the lookup at all (the lookups were not refreshed after the raw table changed), so that
    a value is never dropped without a trace.
-#}
{% macro lookup_problem(raw_value, lookup) -%}
    case
        when {{ lookup }}.raw_value is null and {{ has_text(raw_value) }} then 'not_parsed'
        else {{ lookup }}.problem
    end
{%- endmacro %}
