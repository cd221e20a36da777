{#-
    Hubs: phones and normalized addresses shared by more source records than one block may pair
    all-with-all (`max_block_size()`): a chain's central phone, a placeholder address, a degenerate
    export. Pairing all their records would grow with the square of their count; the candidate
    pairs pair them only through a second key they share, and data_quality_issues reports each.
-#}
with

blocking_keys as (
    select
        match_keys.record_index,
        match_keys.key_type,
        match_keys.key_value
    from {{ ref('int_match_keys__collected') }} as match_keys
    where match_keys.key_type in ('phone', 'address')
),

sized as (
    select
        blocking_keys.key_type,
        blocking_keys.key_value,
        count(*) as records
    from blocking_keys
    group by blocking_keys.key_type, blocking_keys.key_value
),

hubs as (
    select
        sized.key_type,
        sized.key_value,
        sized.records
    from sized
    where sized.records > {{ max_block_size() }}
),

hub_sources as (
    {#- The sources whose records share the key, for the data-quality report. -#}
    select distinct
        hubs.key_type,
        hubs.key_value,
        records.source
    from hubs
    inner join blocking_keys
        on hubs.key_type = blocking_keys.key_type
        and hubs.key_value = blocking_keys.key_value
    inner join {{ ref('int_source_records__current') }} as records
        on blocking_keys.record_index = records.record_index
),

reported as (
    select
        hubs.key_type,
        hubs.key_value,
        hubs.records,
        {{ dbt.listagg('hub_sources.source', "','", 'order by hub_sources.source') }} as sources,
        {{ max_block_size() }} as max_block_size
    from hubs
    inner join hub_sources
        on hubs.key_type = hub_sources.key_type
        and hubs.key_value = hub_sources.key_value
    group by hubs.key_type, hubs.key_value, hubs.records
)

select * from reported
