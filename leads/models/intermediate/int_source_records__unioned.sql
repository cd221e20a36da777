{{ config(materialized='view') }}

{#- Every snapshot's records of every lead source, in the record shape (contract columns and match
    keys), from the current version of each file. -#}
with

unioned as (
    {%- for source_id in lead_sources() %}
    {{ select_columns(ref('stg_' ~ source_id ~ '__facilities'), record_columns()) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

current_files as (
    {#- A file delivered again under its path replaces its earlier version: only the current one counts. -#}
    select source, file_name, load_id
    from {{ ref('int_source_files__loaded') }}
    where is_current
),

current_records as (
    select unioned.*
    from unioned
    inner join current_files
        on unioned.source = current_files.source
        and unioned.file_name = current_files.file_name
        and unioned.load_id = current_files.load_id
)

select * from current_records
