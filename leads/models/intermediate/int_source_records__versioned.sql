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

{#- Each side of the comparison reads its own snapshots, so no snapshot's wide rows are held
    for both: a CTE both sides read would be materialized whole by the warehouse. -#}
{%- for side, date_column in [('current_side', 'snapshot_date'), ('previous_side', 'previous_snapshot_date')] %}
{{ side }} as (
    select
        ranked.*,
        {{ record_row_hash('ranked') }} as row_hash
    from (
        {#- One natural key is one record: a key repeated within a file keeps its last row. -#}
        select
            pending.snapshot_date as compared_on,
            pending.previous_snapshot_date as compared_with,
            unioned.*,
            row_number() over (
                partition by unioned.source, unioned.snapshot_date, unioned.natural_key
                order by unioned.file_name desc, unioned.record_number desc
            ) as key_rank
        from {{ ref('int_source_records__unioned') }} as unioned
        inner join pending
            on unioned.source = pending.source
            and unioned.snapshot_date = pending.{{ date_column }}
        where unioned.natural_key is not null
        {%- if scan_from == 'nothing' %}
            and 1 = 0
        {%- elif scan_from is not none %}
            {#- A constant the warehouse can push down to the raw tables: only recent files are read. #}
            and unioned.snapshot_date >= cast('{{ scan_from }}' as date)
        {%- endif %}
    ) as ranked
    where ranked.key_rank = 1
),

{% endfor -%}

changes as (
    {#- One join gives all three kinds of event; an unchanged record gives none. -#}
    select {{ record_event_columns('current_side', 'previous_side') }}
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
    select * from changes
    union all
    select * from compared_snapshots
)

select * from events
