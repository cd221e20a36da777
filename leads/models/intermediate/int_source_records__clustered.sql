{#-
    Every source record ever seen, with the lead it belongs to. The lead id comes from the resolve
    step's clusters; a record the identity table does not hold (no resolve yet, or a record newer
    than the last resolve) is its own lead, with the id it would have as a cluster's anchor.
-#}
with

records as (
    select source, natural_key from {{ ref('int_source_records__current') }}
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
        records.source,
        records.natural_key,
        coalesce(clusters.lead_id, {{ record_lead_id('records.source', 'records.natural_key') }}) as lead_id,
        coalesce(clusters.is_anchor, true) as is_anchor,
        clusters.match_rule,
        clusters.lead_id is not null as is_resolved
    from records
    left join clusters
        on records.source = clusters.source
        and records.natural_key = clusters.natural_key
)

select * from clustered
