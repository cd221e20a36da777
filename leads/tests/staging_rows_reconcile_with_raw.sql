{#- Staging has exactly one row per raw row: no record lost, none duplicated by a lookup join. -#}
{%- set staged = [
    ('source_1', 'stg_source_1__facilities'),
    ('source_2', 'stg_source_2__facilities'),
    ('source_3', 'stg_source_3__facilities'),
    ('salesforce', 'stg_salesforce__leads'),
] %}
with

row_counts as (
    {%- for source_id, model_name in staged %}
    select
        '{{ source_id }}' as source,
        (select count(*) from ({{ raw_source(source_id, []) }}) as raw_rows) as raw_rows,
        (select count(*) from {{ ref(model_name) }}) as staged_rows
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from row_counts
where raw_rows <> staged_rows
