{{ config(materialized='view') }}

{#- Every snapshot's records of every lead source, in the record shape (contract columns and match keys). -#}
with

unioned as (
    {%- for source_id in var('lead_sources') %}
    {{ select_columns(ref('stg_' ~ source_id ~ '__facilities'), record_columns()) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from unioned
