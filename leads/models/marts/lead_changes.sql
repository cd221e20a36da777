{#-
    What changed, per source record and snapshot: `inserted` (new to its source's snapshot, or
    back after a gap), `updated` (with the contract columns that changed) or `deleted` (missing
    from the snapshot), with the lead the record belongs to today.
-#}
with

events as (
    select * from {{ ref('int_source_records__versioned') }}
    where change_type in ('inserted', 'updated', 'deleted')
),

clustered as (
    select * from {{ ref('int_source_records__clustered') }}
),

changes as (
    select
        ---------- ids
        clustered.lead_id,
        events.source,
        events.license_number,

        ---------- the change
        events.snapshot_date,
        events.change_type,
        events.changed_columns,

        ---------- lineage
        events.natural_key,
        events.previous_snapshot_date

    from events
    inner join clustered
        on events.source = clustered.source
        and events.natural_key = clustered.natural_key
)

select * from changes
