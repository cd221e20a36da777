{#-
    Every source record ever seen, with the lead it belongs to. The lead id comes from the resolve
    step's clusters; a record the identity table does not hold (no resolve yet, or a record newer
    than the last resolve) is its own lead, with the id it would have as a cluster's anchor. Each
    record also carries its lead's size and its recency rank in the lead, computed here on narrow
    rows so the marts never sort wide ones.
-#}
with

records as (
    select record_index, source, source_rank, natural_key, own_lead_id, last_seen_date
    from {{ ref('int_source_records__current') }}
),

clusters as (
    {{ select_columns(source('identity', 'record_clusters'), [
        ('source', dbt.type_string()),
        ('natural_key', dbt.type_string()),
        ('lead_id', dbt.type_string()),
        ('is_anchor', dbt.type_boolean()),
        ('match_rule', dbt.type_string()),
    ]) }}
),

clustered as (
    select
        records.record_index,
        records.source,
        records.source_rank,
        records.natural_key,
        records.last_seen_date,
        coalesce(clusters.lead_id, records.own_lead_id) as lead_id,
        coalesce(clusters.is_anchor, true) as is_anchor,
        clusters.match_rule,
        clusters.lead_id is not null as is_resolved
    from records
    left join clusters
        on records.source = clusters.source
        and records.natural_key = clusters.natural_key
),

sized as (
    select
        record_index,
        source,
        natural_key,
        lead_id,
        is_anchor,
        match_rule,
        is_resolved,
        count(*) over (partition by lead_id) as member_count,
        {#- 1 for the member seen last; ties go to the contract's source order. -#}
        row_number() over (
            partition by lead_id
            order by last_seen_date desc, source_rank asc, natural_key asc
        ) as member_recency
    from clustered
)

select * from sized
