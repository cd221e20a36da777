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


{#- One lookup table, all text columns. It must exist (`leads ingest` writes every lookup table):
    read as empty, it would make every value parsed from it NULL. `among` names the columns of the
    model's `source` whose values it looks up: only their rows are read, so a join holds the
    values of the rows it stages, not every value ever parsed (macros/batches.sql). -#}
{% macro lookup_source(name, among) -%}
    {%- set typed = [] -%}
    {%- for column in lookup_columns()[name] -%}{%- do typed.append((column, dbt.type_string())) -%}{%- endfor -%}
    {%- set among = [among] if among is string else among %}
    select * from (
    {%- if execute and model.resource_type == 'unit_test' %}
    select {% for column, type in typed %}{{ adapter.quote(column) }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ source('lookup', name) }}
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
