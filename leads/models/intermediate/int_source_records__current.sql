{#-
    Every source record ever seen, in its latest version, with when it was first and last seen and
    whether its source's latest snapshot still lists it. A deleted record keeps its last version.
-#}
with

events as (
    select * from {{ ref('int_source_records__versioned') }}
    where change_type <> 'snapshot'
),

snapshots as (
    select * from {{ ref('int_source_snapshots__sequenced') }}
),

latest_snapshots as (
    select source, snapshot_date from snapshots where is_latest
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by source, natural_key order by snapshot_date desc
        ) as recency,
        min(snapshot_date) over (partition by source, natural_key) as first_seen_date
    from events
),

latest as (
    select
        ranked.*,
        ranked.change_type <> 'deleted' as is_active,
        case
            when ranked.change_type = 'deleted' then ranked.previous_snapshot_date
            else latest_snapshots.snapshot_date
        end as last_seen_date
    from ranked
    inner join latest_snapshots on ranked.source = latest_snapshots.source
    where ranked.recency = 1
),

current_records as (
    select
        ---------- ids
        row_number() over (order by source, natural_key) as record_index,
        source,
        {{ lead_source_rank('source') }} as source_rank,
        natural_key,

        ---------- history
        first_seen_date,
        last_seen_date,
        is_active,
        row_hash,
        file_name,

        ---------- the latest version
        {%- for name, type in record_content_columns() %}
        {{ name }},
        {%- endfor %}
        {%- for name in match_key_columns() %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}

    from latest
)

select * from current_records
