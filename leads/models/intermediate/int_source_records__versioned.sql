{#- Plain Parquet tables on Spark have no delete: each batch is a partition, overwritten whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    unique_key=['source', 'snapshot_date'] if target.type != 'spark' else none,
    partition_by=['source', 'snapshot_date'] if target.type == 'spark' else none,
    on_schema_change='append_new_columns',
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
    (staging, macros, seeds) the values were computed with. Every row of a compared snapshot
    carries the time of the run that compared it (`compared_at`), which tells the current records
    what to rewrite. A run compares only the
    snapshots whose row is missing or out of date: a new month costs that month and the one
    before it; a late older snapshot recomputes its own comparison and the next snapshot's.

    Only the records that may have changed are compared. A record whose landed text is the same
    in both snapshots (`raw.record_index`: one content hash for its key on each side) and whose
    snapshots lie in one year has the same staged values on both sides, since a staged value is a
    function of the record's text, the lookups, the seeds and, for two-digit years, the snapshot's
    year; it gives no event, so its wide rows are neither hashed nor joined. The comparison lists
    the keys that may have changed, a few percent of a month, rather than the unchanged ones, so
    what it holds follows the change, not the snapshot. Two snapshots of which a file has no index
    rows (landed before the index existed) are compared in full.
-#}

{%- set scan = pending_scan_dates(ref('int_source_snapshots__sequenced')) -%}

with

pending as (
    {{ pending_snapshots(ref('int_source_snapshots__sequenced')) }}
),

indexed_records as (
    {#- The index rows of the current version of each file, narrow: key and content hash. -#}
    select
        record_index.source,
        record_index.snapshot_date,
        record_index.natural_key,
        {#- 60 bits of the content hash: a number keeps the aggregate's state fixed-size, which the
            warehouse spills; text in a min or max would be held in memory outside its limit. -#}
        {{ hex_number('record_index.row_hash', 1) }} as hash_number
    from ({{ select_columns(source('raw', 'record_index'), [
        ('source', dbt.type_string()), ('snapshot_date', 'date'), ('load_id', dbt.type_string()),
        ('relative_path', dbt.type_string()), ('natural_key', dbt.type_string()), ('row_hash', dbt.type_string()),
    ]) }}) as record_index
    inner join {{ ref('int_source_files__loaded') }} as current_files
        on record_index.source = current_files.source
        and record_index.load_id = current_files.load_id
        and record_index.relative_path = current_files.relative_path
        and current_files.is_current
    where record_index.natural_key is not null
        and {{ snapshot_date_among('record_index.snapshot_date', scan.both) }}
),

indexed_files as (
    {#- The files of the scanned snapshots that have index rows. -#}
    select distinct record_index.source, record_index.load_id, record_index.relative_path
    from {{ source('raw', 'record_index') }} as record_index
    where {{ snapshot_date_among('record_index.snapshot_date', scan.both) }}
),

pending_sides as (
    {#- Each pending comparison once per side, to read both sides' index rows in one join. -#}
    select source, snapshot_date as compared_on, snapshot_date as side_date
    from pending
    where extract(year from snapshot_date) = extract(year from previous_snapshot_date)
    union all
    select source, snapshot_date, previous_snapshot_date
    from pending
    where extract(year from snapshot_date) = extract(year from previous_snapshot_date)
),

indexed_comparisons as (
    {#- Comparisons of one year with current files on both sides, each of them with index rows. -#}
    select pending_sides.source, pending_sides.compared_on
    from pending_sides
    inner join {{ ref('int_source_files__loaded') }} as current_files
        on pending_sides.source = current_files.source
        and pending_sides.side_date = current_files.snapshot_date
        and current_files.is_current
    left join indexed_files
        on current_files.source = indexed_files.source
        and current_files.load_id = indexed_files.load_id
        and current_files.relative_path = indexed_files.relative_path
    group by pending_sides.source, pending_sides.compared_on
    having count(distinct pending_sides.side_date) = 2
        and count(indexed_files.source) = count(*)
),

comparisons as (
    {#- Each pending comparison, and whether it compares only its `changed_keys`. -#}
    select
        pending.source,
        pending.snapshot_date,
        pending.previous_snapshot_date,
        indexed_comparisons.source is not null as compares_changed_keys
    from pending
    left join indexed_comparisons
        on pending.source = indexed_comparisons.source
        and pending.snapshot_date = indexed_comparisons.compared_on
),

changed_keys as (
    {#- Keys whose landed text may differ between the two sides of a pending comparison of one
        year: on one side only, or with more than one content hash among their index rows (60 of
        its 128 bits: two texts of one key that agree on them by chance are one in 10^18). One
        aggregate over both sides: a CTE of each side's contents read twice would be materialized
        whole by the warehouse. -#}
    select
        pending_sides.source,
        pending_sides.compared_on,
        indexed_records.natural_key
    from pending_sides
    inner join indexed_records
        on pending_sides.source = indexed_records.source
        and pending_sides.side_date = indexed_records.snapshot_date
    group by pending_sides.source, pending_sides.compared_on, indexed_records.natural_key
    having min(pending_sides.side_date) = max(pending_sides.side_date)
        or min(indexed_records.hash_number) <> max(indexed_records.hash_number)
        or count(indexed_records.hash_number) < count(*)
),

{# Each side of the comparison reads its own snapshots, so no snapshot's wide rows are held
    for both: a CTE both sides read would be materialized whole by the warehouse. -#}
current_side as (
    {{ compared_side('snapshot_date', scan.current) }}
),

previous_side as (
    {{ compared_side('previous_snapshot_date', scan.previous) }}
),

changes as (
    {#- One join gives all three kinds of event; an unchanged record gives none. An event carries
        the current side's version, a deletion the previous side's (`event_value`). -#}
    select
        ---------- ids
        {{ event_value('source') }} as source,
        {{ event_value('natural_key') }} as natural_key,
        {{ event_value('compared_on') }} as snapshot_date,
        {{ event_value('compared_with') }} as previous_snapshot_date,

        ---------- the change
        cast(case
            when current_side.natural_key is null then 'deleted'
            when previous_side.natural_key is null then 'inserted'
            else 'updated'
        end as {{ dbt.type_string() }}) as change_type,
        cast(case
            when current_side.natural_key is not null and previous_side.natural_key is not null
                then {{ record_changed_columns('current_side', 'previous_side') }}
        end as {{ dbt.type_string() }}) as changed_columns,
        {{ event_value('row_hash') }} as row_hash,

        ---------- lineage
        {{ event_value('file_name') }} as file_name,
        {{ event_value('record_number') }} as record_number,
        {{ event_value('load_id') }} as load_id,

        ---------- contract columns
        {{ event_value('accepts_financial_aid') }} as accepts_financial_aid,
        {{ event_value('ages_served') }} as ages_served,
        {{ event_value('capacity') }} as capacity,
        {{ event_value('certificate_expiration_date') }} as certificate_expiration_date,
        {{ event_value('city') }} as city,
        {{ event_value('address1') }} as address1,
        {{ event_value('address2') }} as address2,
        {{ event_value('company') }} as company,
        {{ event_value('phone') }} as phone,
        {{ event_value('phone_extension') }} as phone_extension,
        {{ event_value('county') }} as county,
        {{ event_value('curriculum_type') }} as curriculum_type,
        {{ event_value('email') }} as email,
        {{ event_value('first_name') }} as first_name,
        {{ event_value('last_name') }} as last_name,
        {{ event_value('language') }} as language,
        {{ event_value('license_status') }} as license_status,
        {{ event_value('license_issued') }} as license_issued,
        {{ event_value('license_number') }} as license_number,
        {{ event_value('license_renewed') }} as license_renewed,
        {{ event_value('license_type') }} as license_type,
        {{ event_value('licensee_name') }} as licensee_name,
        {{ event_value('min_age') }} as min_age,
        {{ event_value('max_age') }} as max_age,
        {{ event_value('operator') }} as operator,
        {{ event_value('provider_id') }} as provider_id,
        {{ event_value('schedule') }} as schedule,
        {{ event_value('state') }} as state,
        {{ event_value('title') }} as title,
        {{ event_value('website_address') }} as website_address,
        {{ event_value('zip') }} as zip,
        {{ event_value('facility_type') }} as facility_type,

        ---------- match keys
        {{ event_value('address_key') }} as address_key,
        {{ event_value('street_number') }} as street_number,
        {{ event_value('name_key') }} as name_key,

        ---------- bookkeeping: on `snapshot` rows only
        cast(null as {{ dbt.type_string() }}) as snapshot_fingerprint,
        cast(null as {{ dbt.type_string() }}) as previous_fingerprint,
        cast(null as {{ dbt.type_string() }}) as rules_version,

        ---------- when it was compared
        {{ compared_at() }} as compared_at

    from current_side
    full outer join previous_side
        on current_side.source = previous_side.source
        and current_side.compared_on = previous_side.compared_on
        and current_side.natural_key = previous_side.natural_key
    where current_side.natural_key is null
        or previous_side.natural_key is null
        or current_side.row_hash <> previous_side.row_hash
),

compared_snapshots as (
    select
        ---------- ids
        source,
        cast(null as {{ dbt.type_string() }}) as natural_key,
        snapshot_date,
        previous_snapshot_date,

        ---------- the change: none, the snapshot's own row
        cast('snapshot' as {{ dbt.type_string() }}) as change_type,
        cast(null as {{ dbt.type_string() }}) as changed_columns,
        cast(null as {{ dbt.type_string() }}) as row_hash,

        ---------- lineage
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as {{ dbt.type_bigint() }}) as record_number,
        cast(null as {{ dbt.type_string() }}) as load_id,

        ---------- contract columns
        cast(null as {{ dbt.type_string() }}) as accepts_financial_aid,
        cast(null as {{ dbt.type_string() }}) as ages_served,
        cast(null as {{ dbt.type_int() }}) as capacity,
        cast(null as date) as certificate_expiration_date,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as address1,
        cast(null as {{ dbt.type_string() }}) as address2,
        cast(null as {{ dbt.type_string() }}) as company,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as phone_extension,
        cast(null as {{ dbt.type_string() }}) as county,
        cast(null as {{ dbt.type_string() }}) as curriculum_type,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as {{ dbt.type_string() }}) as language,
        cast(null as {{ dbt.type_string() }}) as license_status,
        cast(null as date) as license_issued,
        cast(null as {{ dbt.type_string() }}) as license_number,
        cast(null as date) as license_renewed,
        cast(null as {{ dbt.type_string() }}) as license_type,
        cast(null as {{ dbt.type_string() }}) as licensee_name,
        cast(null as {{ dbt.type_int() }}) as min_age,
        cast(null as {{ dbt.type_int() }}) as max_age,
        cast(null as {{ dbt.type_string() }}) as operator,
        cast(null as {{ dbt.type_string() }}) as provider_id,
        cast(null as {{ dbt.type_string() }}) as schedule,
        cast(null as {{ dbt.type_string() }}) as state,
        cast(null as {{ dbt.type_string() }}) as title,
        cast(null as {{ dbt.type_string() }}) as website_address,
        cast(null as {{ dbt.type_string() }}) as zip,
        cast(null as {{ dbt.type_string() }}) as facility_type,

        ---------- match keys
        cast(null as {{ dbt.type_string() }}) as address_key,
        cast(null as {{ dbt.type_string() }}) as street_number,
        cast(null as {{ dbt.type_string() }}) as name_key,

        ---------- bookkeeping: what was compared, under which rules
        snapshot_fingerprint,
        previous_fingerprint,
        cast('{{ history_rules() }}' as {{ dbt.type_string() }}) as rules_version,

        ---------- when it was compared
        {{ compared_at() }} as compared_at

    from pending
),

events as (
    select * from changes
    union all
    select * from compared_snapshots
)

select * from events
