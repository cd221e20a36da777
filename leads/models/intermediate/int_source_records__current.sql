{#- Each source's latest snapshot: the records a lead is built from today. -#}
with

records as (
    select * from {{ ref('int_source_records__unioned') }}
),

latest_snapshot as (
    select source, max(snapshot_date) as snapshot_date
    from records
    group by source
),

current_records as (
    select records.*
    from records
    inner join latest_snapshot
        on records.source = latest_snapshot.source
        and records.snapshot_date = latest_snapshot.snapshot_date
    where records.natural_key is not null
),

deduplicated as (
    {#- One natural key is one record: a key repeated within a file keeps its last row. -#}
    select
        *,
        row_number() over (
            partition by source, natural_key order by record_number desc
        ) as key_rank
    from current_records
)

select * from deduplicated where key_rank = 1
