{#-
    The snapshots of every lead source in date order: each file is one full snapshot of its
    source. A snapshot's fingerprint names its files and their content hashes, so the history
    models can tell a snapshot they have compared from one that is new or changed.
-#}
with

loaded as (
    {#- A path's current version only: a corrected file replaces the version it corrects. -#}
    select source, snapshot_date, file_name, fingerprint
    from {{ ref('int_source_files__loaded') }}
    where is_current
        and snapshot_date is not null
        and source in ({{ lead_source_list() }})
),

snapshots as (
    select
        source,
        snapshot_date,
        count(*) as files,
        {{ dbt.listagg("file_name || '@' || fingerprint", "' '", "order by file_name, fingerprint") }}
            as snapshot_fingerprint
    from loaded
    group by source, snapshot_date
),

sequenced as (
    select
        ---------- ids
        source,
        snapshot_date,

        ---------- the snapshot before it, and whether it is the source's latest
        lag(snapshot_date) over (partition by source order by snapshot_date) as previous_snapshot_date,
        snapshot_date = max(snapshot_date) over (partition by source) as is_latest,

        ---------- what it holds
        files,
        snapshot_fingerprint,
        lag(snapshot_fingerprint) over (partition by source order by snapshot_date) as previous_fingerprint

    from snapshots
)

select * from sequenced
