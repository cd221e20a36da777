{#-
    What each loaded file brought: its rows, the rows held back, the records it inserted, updated
    and deleted in its source's history, and the leads it was the first to bring (the file holding
    the anchor record of the lead when it first appeared), of which how many the CRM lacks. A file
    delivered again under its path has a row per version; a replaced version brought nothing that
    is still in the history, and says when it was replaced.
-#}
with

loaded_files as (
    select
        loaded.*,
        {#- a deletion belongs to its snapshot's first current file -#}
        row_number() over (
            partition by loaded.source, loaded.snapshot_date, loaded.is_current
            order by loaded.file_name, loaded.load_id
        ) as file_rank
    from {{ ref('int_source_files__loaded') }} as loaded
),

quarantined as (
    select * from {{ ref('int_source_files__quarantined') }}
),

events as (
    select * from {{ ref('int_source_records__versioned') }}
    where change_type in ('inserted', 'updated', 'deleted')
),

file_events as (
    {#- Inserted and updated records name their file; a deletion belongs to the snapshot, and so
        to its first file. -#}
    select loaded_files.source, loaded_files.file_name, loaded_files.load_id, events.change_type
    from events
    inner join loaded_files
        on events.source = loaded_files.source
        and events.snapshot_date = loaded_files.snapshot_date
        and (
            (
                events.change_type <> 'deleted'
                and events.file_name = loaded_files.file_name
                and events.load_id = loaded_files.load_id
            )
            or (events.change_type = 'deleted' and loaded_files.is_current and loaded_files.file_rank = 1)
        )
),

event_counts as (
    select
        source,
        file_name,
        load_id,
        sum(case when change_type = 'inserted' then 1 else 0 end) as records_inserted,
        sum(case when change_type = 'updated' then 1 else 0 end) as records_updated,
        sum(case when change_type = 'deleted' then 1 else 0 end) as records_deleted
    from file_events
    group by source, file_name, load_id
),

anchors as (
    select clustered.source, clustered.natural_key, clustered.lead_id, records.first_seen_date
    from {{ ref('int_source_records__clustered') }} as clustered
    inner join {{ ref('int_source_records__current') }} as records
        on clustered.source = records.source
        and clustered.natural_key = records.natural_key
    where clustered.is_anchor
),

new_leads as (
    {#- A lead is new in the file that held its anchor record when the record first appeared. -#}
    select
        events.source,
        events.file_name,
        events.load_id,
        count(*) as leads_new,
        sum(case when crm_matches.lead_id is null then 1 else 0 end) as leads_net_new
    from anchors
    inner join events
        on anchors.source = events.source
        and anchors.natural_key = events.natural_key
        and anchors.first_seen_date = events.snapshot_date
        and events.change_type = 'inserted'
    left join {{ ref('int_crm_leads__matched') }} as crm_matches
        on anchors.lead_id = crm_matches.lead_id
    group by events.source, events.file_name, events.load_id
),

file_loads as (
    select
        ---------- the file
        loaded_files.source,
        loaded_files.file_name,
        loaded_files.snapshot_date,
        loaded_files.ingested_at as loaded_at,
        loaded_files.replaced_at,

        ---------- rows
        cast(
            coalesce(loaded_files.rows_loaded, 0) + coalesce(loaded_files.rows_rejected, 0)
            as {{ dbt.type_bigint() }}
        ) as rows,
        cast(
            coalesce(loaded_files.rows_rejected, 0)
            + coalesce(quarantined.rows_malformed, 0)
            + coalesce(quarantined.rows_without_key, 0)
            as {{ dbt.type_bigint() }}
        ) as rows_quarantined,

        ---------- what it brought
        cast(coalesce(new_leads.leads_new, 0) as {{ dbt.type_bigint() }}) as leads_new,
        cast(coalesce(new_leads.leads_net_new, 0) as {{ dbt.type_bigint() }}) as leads_net_new,
        cast(coalesce(event_counts.records_inserted, 0) as {{ dbt.type_bigint() }}) as records_inserted,
        cast(coalesce(event_counts.records_updated, 0) as {{ dbt.type_bigint() }}) as records_updated,
        cast(coalesce(event_counts.records_deleted, 0) as {{ dbt.type_bigint() }}) as records_deleted,

        ---------- lineage
        loaded_files.load_id

    from loaded_files
    left join quarantined
        on loaded_files.source = quarantined.source
        and loaded_files.file_name = quarantined.file_name
        and loaded_files.load_id = quarantined.load_id
    left join event_counts
        on loaded_files.source = event_counts.source
        and loaded_files.file_name = event_counts.file_name
        and loaded_files.load_id = event_counts.load_id
    left join new_leads
        on loaded_files.source = new_leads.source
        and loaded_files.file_name = new_leads.file_name
        and loaded_files.load_id = new_leads.load_id
)

select * from file_loads
