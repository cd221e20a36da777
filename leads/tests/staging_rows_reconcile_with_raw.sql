{#- Staging has exactly one row per raw row: no record lost, none duplicated by a lookup join. -#}
with

row_counts as (
    {%- for source_id, model_name in staging_models() %}
    select
        '{{ source_id }}' as source,
        (select count(*) from ({{ raw_source(source_id, []) }}) as raw_rows) as raw_rows,
        (select count(*) from {{ ref(model_name) }}) as staged_rows
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from row_counts
where raw_rows <> staged_rows
