{{ config(materialized='view') }}

{#-
    SCD type 2 view of the record history: one row per version of a source record, valid from the
    snapshot that brought it until the snapshot that changed or dropped it (NULL while current).
-#}
with

events as (
    select * from {{ ref('int_source_records__versioned') }}
    where change_type <> 'snapshot'
),

bounded as (
    select
        events.*,
        lead(snapshot_date) over (
            partition by source, natural_key order by snapshot_date
        ) as valid_to
    from events
),

versions as (
    select
        ---------- ids
        source,
        natural_key,
        snapshot_date as valid_from,
        valid_to,
        valid_to is null as is_current,
        change_type,
        changed_columns,
        row_hash,

        ---------- the version
        {%- for name in ['file_name', 'record_number'] %}
        {{ name }},
        {%- endfor %}
        {%- for name, type in record_content_columns() %}
        {{ name }},
        {%- endfor %}
        {%- for name in match_key_columns() %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}

    from bounded
    where change_type in ('inserted', 'updated')
)

select * from versions
