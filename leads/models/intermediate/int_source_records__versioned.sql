{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['source', 'snapshot_date'],
) }}

{#-
    The history of every source record as events: each snapshot of a source is compared with
    the source's snapshot before it, by natural key and row hash. A record new to the snapshot is
    `inserted` (also when it comes back after a gap), one whose contract columns changed is
    `updated` (with the changed columns' names), one missing from it is `deleted`; an unchanged
    record adds no row. Inserted and updated rows carry the record's new version, deleted rows its
    last one, so the rows of one record are its SCD type 2 versions.

    Each compared snapshot also has one `snapshot` row, the bookkeeping of the incremental runs:
    which snapshot it was compared with, the fingerprints of both and the version of the rules
    (staging, macros, seeds) the values were computed with. A run compares only the
    snapshots whose row is missing or out of date: a new month costs that month and the one
    before it; a late older snapshot recomputes its own comparison and the next snapshot's.
-#}

{%- set content = record_content_columns() -%}
{%- set keys = match_key_columns() -%}
{%- set scan_from = pending_scan_start(ref('int_source_snapshots__sequenced')) -%}

with

pending as (
    {{ pending_snapshots(ref('int_source_snapshots__sequenced')) }}
),

needed as (
    select source, snapshot_date from pending
    union
    select source, previous_snapshot_date from pending where previous_snapshot_date is not null
),

records as (
    {#- One natural key is one record: a key repeated within a file keeps its last row. -#}
    select
        unioned.*,
        row_number() over (
            partition by unioned.source, unioned.snapshot_date, unioned.natural_key
            order by unioned.file_name desc, unioned.record_number desc
        ) as key_rank
    from {{ ref('int_source_records__unioned') }} as unioned
    inner join needed
        on unioned.source = needed.source
        and unioned.snapshot_date = needed.snapshot_date
    where unioned.natural_key is not null
    {%- if scan_from == 'nothing' %}
        and 1 = 0
    {%- elif scan_from is not none %}
        {#- A constant the warehouse can push down to the raw tables: only recent files are read. #}
        and unioned.snapshot_date >= cast('{{ scan_from }}' as date)
    {%- endif %}
),

hashed as (
    select
        records.*,
        {{ record_row_hash('records') }} as row_hash
    from records
    where key_rank = 1
),

current_side as (
    select
        pending.snapshot_date as compared_on,
        pending.previous_snapshot_date as compared_with,
        hashed.*
    from hashed
    inner join pending
        on hashed.source = pending.source
        and hashed.snapshot_date = pending.snapshot_date
),

previous_side as (
    select
        pending.snapshot_date as compared_on,
        pending.previous_snapshot_date as compared_with,
        hashed.*
    from hashed
    inner join pending
        on hashed.source = pending.source
        and hashed.snapshot_date = pending.previous_snapshot_date
),

inserted as (
    select {{ record_event_columns('current_side', 'inserted', 'null') }}
    from current_side
    left join previous_side
        on current_side.source = previous_side.source
        and current_side.compared_on = previous_side.compared_on
        and current_side.natural_key = previous_side.natural_key
    where previous_side.natural_key is null
),

updated as (
    select {{ record_event_columns('current_side', 'updated', record_changed_columns('current_side', 'previous_side')) }}
    from current_side
    inner join previous_side
        on current_side.source = previous_side.source
        and current_side.compared_on = previous_side.compared_on
        and current_side.natural_key = previous_side.natural_key
    where current_side.row_hash <> previous_side.row_hash
),

deleted as (
    {#- The deleted row keeps the record's last version: what the facility looked like. -#}
    select {{ record_event_columns('previous_side', 'deleted', 'null') }}
    from previous_side
    left join current_side
        on previous_side.source = current_side.source
        and previous_side.compared_on = current_side.compared_on
        and previous_side.natural_key = current_side.natural_key
    where current_side.natural_key is null
),

compared_snapshots as (
    select
        source,
        cast(null as {{ dbt.type_string() }}) as natural_key,
        snapshot_date,
        previous_snapshot_date,
        cast('snapshot' as {{ dbt.type_string() }}) as change_type,
        cast(null as {{ dbt.type_string() }}) as changed_columns,
        cast(null as {{ dbt.type_string() }}) as row_hash,
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as {{ dbt.type_bigint() }}) as record_number,
        cast(null as {{ dbt.type_string() }}) as load_id,
        {%- for name, type in content %}
        cast(null as {{ type }}) as {{ name }},
        {%- endfor %}
        {%- for name in keys %}
        cast(null as {{ dbt.type_string() }}) as {{ name }},
        {%- endfor %}
        snapshot_fingerprint,
        previous_fingerprint,
        cast('{{ history_rules() }}' as {{ dbt.type_string() }}) as rules_version
    from pending
),

events as (
    select * from inserted
    union all
    select * from updated
    union all
    select * from deleted
    union all
    select * from compared_snapshots
)

select * from events
