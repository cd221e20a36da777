{#-
    Rejected values. A staging model that checks a column exposes two companion columns:
      <column>__raw      the raw text the value came from, kept only beside a problem
      <column>__problem  the rule the raw text failed (NULL when it passed or was blank)
    and data_quality_issues turns every non-NULL <column>__problem into a row. A new rule is one
    more pair in a staging model; nothing else changes.
-#}

{#- The problem of a SQL rule that gives NULL for what it rejects: a non-blank raw value that became NULL. -#}
{% macro rejected_if_null(column, rule) -%}
    case
        when {{ has_text(column ~ '__raw') }} and {{ column }} is null then '{{ rule }}'
    end as {{ column }}__problem
{%- endmacro %}


{#- The last select of a staging model: its rows (`staged`, the model's query) with each
    <column>__raw kept only beside a problem. Only rejected values are reported, and the raw text
    of every passed value would otherwise be stored, and copied each month a record comes back
    unchanged, a second time. The query's columns are read from an empty run of it (before the
    hooks make their work tables, so with stand-ins for them). Where the query
    is not run, it is given as it is: a unit test (whose fixtures the query cannot name on its
    own) and `dbt compile`, which may run before the seeds and tables it reads exist. -#}
{% macro raw_text_of_problems_only(staged) -%}
    {%- if not execute or model.resource_type == 'unit_test' or flags.WHICH not in ('run', 'build') -%}
    {{ staged }}
    {%- else -%}
    {%- set planned = without_work_tables(staged) -%}
    {%- set names = run_query('select * from (' ~ planned ~ ') as staged where 1 = 0').column_names | map('lower') | list -%}
    select
        {%- for name in names %}
        {%- if name.endswith('__raw') and name[:-5] ~ '__problem' in names %}
        case when staged.{{ adapter.quote(name[:-5] ~ '__problem') }} is not null then staged.{{ adapter.quote(name) }} end as {{ adapter.quote(name) }}
        {%- else %}
        staged.{{ adapter.quote(name) }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from ({{ staged }}) as staged
    {%- endif -%}
{%- endmacro %}


{#- The checked columns of a model: those with a <column>__problem companion. -#}
{% macro checked_columns(relation) -%}
    {%- set checked = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- set name = column.name | lower -%}
            {%- if name.endswith('__problem') -%}{%- do checked.append(name[:-9]) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(checked) }}
{%- endmacro %}


{#-
    One row per rejected value of a staging model: source, file_name, load_id, record_number,
    column_name, raw_value, rule. The model is read once, its rows narrowed by `condition`; its
    problem columns are unpivoted with a cross join.
-#}
{% macro rejected_values(model_name, condition='1 = 1') -%}
    {%- set relation = ref(model_name) -%}
    {%- set checked = checked_columns(relation) -%}
    {%- if checked %}
    select
        staged.source,
        staged.file_name,
        staged.load_id,
        staged.record_number,
        checked_columns.column_name,
        case checked_columns.column_name
            {%- for column in checked %}
            when '{{ column }}' then cast(staged.{{ column }}__raw as {{ dbt.type_string() }})
            {%- endfor %}
        end as raw_value,
        case checked_columns.column_name
            {%- for column in checked %}
            when '{{ column }}' then staged.{{ column }}__problem
            {%- endfor %}
        end as rule
    from (
        select * from {{ relation }}
        where ({{ condition }})
            and ({% for column in checked %}{{ column }}__problem is not null{{ ' or ' if not loop.last }}{% endfor %})
    ) as staged
    cross join (
        values {% for column in checked %}('{{ column }}'){{ ', ' if not loop.last }}{% endfor %}
    ) as checked_columns (column_name)
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as {{ dbt.type_string() }}) as load_id,
        cast(null as {{ dbt.type_bigint() }}) as record_number,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        cast(null as {{ dbt.type_string() }}) as rule
    where 1 = 0
    {%- endif %}
{%- endmacro %}
