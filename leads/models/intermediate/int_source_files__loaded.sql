{{ config(materialized='view') }}

{#-
    Every version of every loaded file, from the ledger (`raw.ingested_files`). A file delivered
    again under the same path with other content is loaded as that path's new version: it replaces
    the earlier one as the snapshot it is, so only a path's current version (its newest load)
    feeds the history, the CRM's leads and the data-quality report. The earlier versions' rows
    stay in raw, and `file_loads` lists them with when they were replaced.
-#}
with

files as (
    {{ select_columns(source('raw', 'ingested_files'), [
        ('source', dbt.type_string()),
        ('file_name', dbt.type_string()),
        ('relative_path', dbt.type_string()),
        ('status', dbt.type_string()),
        ('snapshot_date', 'date'),
        ('fingerprint', dbt.type_string()),
        ('rows_loaded', dbt.type_bigint()),
        ('rows_rejected', dbt.type_bigint()),
        ('load_id', dbt.type_string()),
        ('ingested_at', dbt.type_timestamp()),
    ]) }}
),

versions as (
    select
        ---------- the file version
        source,
        file_name,
        relative_path,
        load_id,
        snapshot_date,
        fingerprint,

        ---------- rows
        rows_loaded,
        rows_rejected,

        ---------- when it came, and when a newer version of the same path replaced it
        ingested_at,
        lead(ingested_at) over (
            partition by source, relative_path order by ingested_at, load_id
        ) as replaced_at

    from files
    where status = 'loaded'
),

loaded_files as (
    select
        versions.*,
        versions.replaced_at is null as is_current
    from versions
)

select * from loaded_files
