{#- Plain Parquet tables on Spark have no delete: each batch is a partition, overwritten whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    unique_key=['source', 'file_name', 'load_id'] if target.type != 'spark' else none,
    partition_by=['source', 'file_name', 'load_id'] if target.type == 'spark' else none,
) }}

{#-
    Per loaded file, the rows that were read but are held back: malformed rows (wrong number of
    fields, kept and flagged) and rows that cannot become a record because they have no natural
    key. A file's rows never change once loaded, so each file is counted once.
-#}
{#- The loads not counted yet, looked up first: a constant list the warehouse pushes down to the
    raw tables, so a run reads only the new files' rows. -#}
{%- set rules = history_rules() -%}
{%- set new_loads = none -%}
{%- if looks_up_constants() -%}
    {%- set found = run_query(
        "select distinct load_id from " ~ source('raw', 'ingested_files')
        ~ " where status = 'loaded' and load_id not in (select load_id from " ~ this
        ~ (" where rules_version = '" ~ rules ~ "'" if rules else "") ~ ")"
    ) -%}
    {%- set new_loads = found.columns[0].values() | list -%}
{%- endif -%}

with

staged as (
    {#- Every source's staging model (`registry()`), with the column holding its natural key: the
        CRM's records are keyed by their lead id. -#}
    {%- for source in registry() %}
    {%- set model_name = source.staging_model %}
    {%- set key_column = 'natural_key' if source.role == 'lead' else 'salesforce_lead_id' %}
    select source, file_name, load_id, parse_error, {{ key_column }} as natural_key
    from ({{ select_columns(ref(model_name), [
        ('source', dbt.type_string()),
        ('file_name', dbt.type_string()),
        ('load_id', dbt.type_string()),
        ('parse_error', dbt.type_string()),
        (key_column, dbt.type_string()),
    ]) }}) as {{ model_name }}
    where {{ load_id_among('load_id', new_loads) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

counted as (
    select
        source,
        file_name,
        load_id,
        count(*) as rows_staged,
        sum(case when parse_error is not null then 1 else 0 end) as rows_malformed,
        sum(case when parse_error is null and natural_key is null then 1 else 0 end) as rows_without_key,
        cast('{{ rules }}' as {{ dbt.type_string() }}) as rules_version
    from staged
    group by source, file_name, load_id
)

select * from counted
