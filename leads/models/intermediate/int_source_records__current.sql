{#- Spark's plain Parquet tables have no delete or update: there the model is rebuilt in full. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='delete+insert',
    unique_key=['source', 'natural_key'],
    on_schema_change='append_new_columns',
    pre_hook="{{ drop_vanished_records() }}",
    post_hook="{{ move_last_seen_dates() }}",
) }}

{#-
    Every source record ever seen, in its latest version, with when it was first and last seen and
    whether its source's latest snapshot still lists it. A deleted record keeps its last version.

    Incremental: a run rewrites only the records the record history touched since the last one
    (macros/current_records.sql), and the others keep their rows and their `record_index`; a new
    record is numbered after the highest. A record's row follows from its first and latest event
    alone, and `last_seen_date` of an active record from its source's latest snapshot, which the
    post-hook moves in one narrow update.
-#}
with

snapshots as (
    select * from {{ ref('int_source_snapshots__sequenced') }}
),

latest_snapshots as (
    select source, snapshot_date from snapshots
    where is_latest
),

{%- if is_incremental() %}

touched as (
    {{ touched_records() }}
),
{%- endif %}

spans as (
    {#- Narrow first, so only one wide row per record is carried: its latest event. The history
        is read twice rather than through a shared CTE, which the warehouse would materialize
        with every column. -#}
    select
        events.source,
        events.natural_key,
        min(events.snapshot_date) as first_seen_date,
        max(events.snapshot_date) as latest_event_date
    {{ history_events_of('events', 'touched') }}
    where events.change_type <> 'snapshot'
    group by events.source, events.natural_key
),

numbered as (
    {#- A record keeps its number; a new one is numbered after the highest, in key order. -#}
    {%- if is_incremental() %}
    select
        spans.*,
        coalesce(
            kept.record_index,
            (select coalesce(max(numbered_before.record_index), 0) from {{ this }} as numbered_before)
            + row_number() over (partition by kept.record_index is null order by spans.source, spans.natural_key)
        ) as record_index
    from spans
    left join {{ this }} as kept
        on spans.source = kept.source
        and spans.natural_key = kept.natural_key
    {%- else %}
    select
        spans.*,
        row_number() over (order by spans.source, spans.natural_key) as record_index
    from spans
    {%- endif %}
),

latest as (
    {#- The wide history is read only from the earliest snapshot that can hold a touched record's
        latest event (a constant), so a month reads its own events, not every event ever. -#}
    select
        numbered.record_index,
        numbered.first_seen_date,
        numbered.latest_event_date,
        (select max(stamps.compared_at) from {{ ref('int_source_records__versioned') }} as stamps) as versioned_at,
        events.*,
        events.change_type <> 'deleted' as is_active,
        case
            when events.change_type = 'deleted' then events.previous_snapshot_date
            else latest_snapshots.snapshot_date
        end as last_seen_date
    from {{ ref('int_source_records__versioned') }} as events
    inner join numbered
        on events.source = numbered.source
        and events.natural_key = numbered.natural_key
        and events.snapshot_date = numbered.latest_event_date
    inner join latest_snapshots on events.source = latest_snapshots.source
    where events.change_type <> 'snapshot'
        and {{ holds_touched_latest_events('events.snapshot_date') }}
),

current_records as (
    select
        ---------- ids
        record_index,
        source,
        {{ lead_source_rank('source') }} as source_rank,
        natural_key,
        {{ record_lead_id('source', 'natural_key') }} as own_lead_id,

        ---------- history
        first_seen_date,
        last_seen_date,
        is_active,
        row_hash,
        file_name,
        latest_event_date,
        versioned_at,

        ---------- the latest version: contract columns
        accepts_financial_aid,
        ages_served,
        capacity,
        certificate_expiration_date,
        city,
        address1,
        address2,
        company,
        phone,
        phone_extension,
        county,
        curriculum_type,
        email,
        first_name,
        last_name,
        language,
        license_status,
        license_issued,
        license_number,
        license_renewed,
        license_type,
        licensee_name,
        min_age,
        max_age,
        operator,
        provider_id,
        schedule,
        state,
        title,
        website_address,
        zip,
        facility_type,

        ---------- match keys
        address_key,
        street_number,
        name_key

    from latest
)

select * from current_records
