{#- Spark's plain Parquet tables have no delete: there the model is rebuilt in full. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=["{{ add_column_if_missing('load_id', dbt.type_string()) }}", "{{ drop_unreported_issues() }}"],
    post_hook="{{ remember_reported_files() }}",
) }}

{#- Every value or row the pipeline refused, with where it came from and the rule it failed, in
    the current version of each file (a corrected file replaces what its earlier version said).
    Incremental on DuckDB and PostgreSQL: a run reports only the file versions it has not
    reported yet, and the hub keys afresh (macros/reported_issues.sql). -#}
{%- set new_loads = among_unreported_loads('load_id') %}
with

rejected_values as (
    {#- Values a staging rule turned into NULL (each model's <column>__problem columns). -#}
    {%- for source_id, model_name in staging_models() %}
    select * from ({{ rejected_values(model_name, new_loads) }}) as {{ model_name }}
    where rule is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

malformed_rows as (
    {#- Records read with too few or too many fields, or broken quoting: kept, and reported. -#}
    select
        source,
        file_name,
        load_id,
        record_number,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        'malformed_record: ' || parse_error as rule
    from (
        {%- for source_id, model_name in staging_models() %}
        select source, file_name, load_id, record_number, parse_error from {{ ref(model_name) }}
        where {{ new_loads }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    ) as staged
    where parse_error is not null
),

unreadable_records as (
    {#- Records that could not be read at all (raw.rejected_records). -#}
    select
        source,
        file_name,
        load_id,
        record_number,
        cast(null as {{ dbt.type_string() }}) as column_name,
        record_text as raw_value,
        'unreadable_record: ' || reason as rule
    from ({{ select_columns(source('raw', 'rejected_records'), [
        ('source', dbt.type_string()), ('file_name', dbt.type_string()), ('load_id', dbt.type_string()),
        ('record_number', dbt.type_bigint()), ('reason', dbt.type_string()),
        ('record_text', dbt.type_string()),
    ]) }}) as rejected
    where {{ new_loads }}
),

issues as (
    select * from rejected_values
    union all
    select * from malformed_rows
    union all
    select * from unreadable_records
),

current_files as (
    {#- The current file versions not reported yet (every one in a whole build). -#}
    {{ unreported_files() }}
),

current_issues as (
    select
        issues.source,
        issues.file_name,
        issues.record_number,
        issues.column_name,
        issues.raw_value,
        issues.rule,
        issues.load_id
    from issues
    inner join current_files
        on issues.source = current_files.source
        and issues.file_name = current_files.file_name
        and issues.load_id = current_files.load_id
),

{# Phones and addresses too widely shared to pair all their records: one row each. #}
hub_keys as (
    select
        hubs.sources as source,
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as {{ dbt.type_bigint() }}) as record_number,
        hubs.key_type as column_name,
        hubs.key_value as raw_value,
        'hub_key' as rule,
        cast(null as {{ dbt.type_string() }}) as load_id
    from {{ ref('int_match_keys__hubs') }} as hubs
),

reported as (
    select * from current_issues
    union all
    select * from hub_keys
)

select * from reported
