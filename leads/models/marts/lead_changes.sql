{#- Spark's plain Parquet tables have no delete: there the model is rebuilt in full. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=["{{ add_column_if_missing('compared_at', dbt.type_timestamp()) }}", "{{ drop_recompared_changes() }}"],
    post_hook="{{ move_changes_to_current_leads() }}",
) }}

{#-
    What changed, per source record and snapshot: `inserted` (new to its source's snapshot, or
    back after a gap), `updated` (with the contract columns that changed) or `deleted` (missing
    from the snapshot), with the lead the record belongs to today.

    Incremental (macros/lead_changes.sql): each row keeps the time its snapshot was compared
    (`compared_at`), so a run adds the events of the comparisons the table does not hold yet,
    looked up before it runs, after its pre-hook has dropped the rows of snapshots compared again;
    its post-hook moves the rows of records whose lead changed to their lead of today.
-#}
{%- set unheld = unheld_comparisons() -%}

with

events as (
    select events.*
    from {{ ref('int_source_records__versioned') }} as events
    where events.change_type in ('inserted', 'updated', 'deleted')
        and {{ events_of_comparisons('events', unheld) }}
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
        events.previous_snapshot_date,
        events.compared_at

    from events
    inner join clustered
        on events.source = clustered.source
        and events.natural_key = clustered.natural_key
)

select * from changes
