{#-
    What an incremental run of the current records (int_source_records__current) rewrites, and
    with them the match keys (int_match_keys__collected).

    A record's current row follows from its events in the record history: its first (first seen),
    its latest (its version, whether it is active, when a deleted record was last seen), and from
    its source's latest snapshot. The history rewrites whole snapshots and stamps each with the
    time it compared them (`compared_at`); the current records keep the latest stamp they read
    (`versioned_at`). So a record needs its row rewritten when one of its events is newer than
    that stamp, or when the snapshot of its stored first or latest event was rewritten (an event
    there may be gone). History rows stamped before the stamps existed count as new.
-#}


{#- Whether a stamp (`column`) is newer than the latest stamp `relation` has read (`versioned_at`),
    or missing (a row stamped before the stamps existed). -#}
{% macro stamped_after_last_read(column, relation) -%}
    ({{ column }} is null or {{ column }} > {{ last_read_stamp(relation) }})
{%- endmacro %}


{#- The latest stamp `relation` has read, looked up before the model runs when it runs
    incrementally: as a constant, the warehouse filters the scan with it (and skips the row groups
    stamped before it) instead of joining every row with a subquery's result. A model compiles
    before its pre-hooks run, so the model and its hooks read the same stamp. -#}
{% macro last_read_stamp(relation) -%}
    {%- set latest = '(select max(stamps_read.versioned_at) from ' ~ relation ~ ' as stamps_read)' -%}
    {%- if looks_up_constants() -%}
        {%- set found = run_query(latest) -%}
        {%- set stamp = found.rows[0][0] -%}
        {%- if stamp is none -%}
            {%- set latest = 'null' -%}
        {%- else -%}
            {%- set latest = "cast('" ~ stamp.isoformat(sep=' ') ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
        {%- endif -%}
    {%- endif -%}
    {{- comparison_stamp(latest) -}}
{%- endmacro %}


{#- `from` the record history's events, as `alias`, of the records in `records` (a relation with
    source and natural_key) when the model runs incrementally, of every record otherwise. -#}
{% macro history_events_of(alias, records) -%}
    from {{ ref('int_source_records__versioned') }} as {{ alias }}
    {%- if is_incremental() %}
    inner join {{ records }}
        on {{ alias }}.source = {{ records }}.source
        and {{ alias }}.natural_key = {{ records }}.natural_key
    {%- endif %}
{%- endmacro %}


{#- (source, natural_key) of the records whose current row must be rewritten: those with an event
    the current records have not read, and those whose first or latest event lay in a snapshot
    compared again since (its `snapshot` row is newer). -#}
{% macro touched_records() -%}
    select source, natural_key
    from {{ ref('int_source_records__versioned') }}
    where change_type <> 'snapshot'
        and {{ stamped_after_last_read('compared_at', this) }}
    union
    {{ records_of_compared_snapshots() }}
{%- endmacro %}


{#- (source, natural_key) of the records whose first or latest event lay in a snapshot compared
    again since the current records last read the history: the only records whose events may
    have gone. A new month's snapshot holds none of them yet. -#}
{% macro records_of_compared_snapshots() -%}
    select records.source, records.natural_key
    from {{ this }} as records
    inner join {{ ref('int_source_records__versioned') }} as rewritten
        on records.source = rewritten.source
        and rewritten.snapshot_date in (records.first_seen_date, records.latest_event_date)
    where rewritten.change_type = 'snapshot'
        and {{ stamped_after_last_read('rewritten.compared_at', this) }}
{%- endmacro %}


{#- A condition on the record history's `column` (snapshot_date) that keeps every touched
    record's latest event, a constant looked up before the model runs so the warehouse reads only
    the snapshots from the earliest one compared since the last read: a touched record has an event
    there or later. Not so for a record whose latest event went with a snapshot compared again, so
    when a compared snapshot holds any record, every snapshot is read. -#}
{% macro holds_touched_latest_events(column) -%}
    {%- if not looks_up_constants() -%}
    1 = 1
    {%- else -%}
    {%- set found = run_query(
        "select (select min(compared.snapshot_date) from " ~ ref('int_source_records__versioned') ~ " as compared"
        ~ " where " ~ stamped_after_last_read('compared.compared_at', this) ~ "),"
        ~ " exists (" ~ records_of_compared_snapshots() ~ ")"
    ) -%}
    {%- set earliest, compared_records = found.rows[0][0], found.rows[0][1] -%}
    {%- if compared_records -%}
    1 = 1
    {%- elif earliest is none -%}
    1 = 0
    {%- else -%}
    {{ column }} >= cast('{{ earliest }}' as date)
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook: a record with no event left (its only snapshots were corrected without it) is no
    record any more. Only a record of a snapshot compared again can have lost its events: the
    others are not looked up in the history. -#}
{% macro drop_vanished_records() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as records
    where (records.source, records.natural_key) in (
        select candidates.source, candidates.natural_key
        from ({{ records_of_compared_snapshots() }}) as candidates
        left join {{ ref('int_source_records__versioned') }} as events
            on candidates.source = events.source
            and candidates.natural_key = events.natural_key
            and events.change_type <> 'snapshot'
        group by candidates.source, candidates.natural_key
        having count(events.natural_key) = 0
    )
    {%- endif -%}
{%- endmacro %}


{#- Post-hook: an active record was last seen in its source's latest snapshot. One narrow update
    moves the records a new snapshot left unchanged; the rewritten ones already have it. -#}
{% macro move_last_seen_dates() -%}
    {%- if is_incremental() -%}
    update {{ this }} as records
    set last_seen_date = latest.snapshot_date
    from (
        select source, snapshot_date from {{ ref('int_source_snapshots__sequenced') }} where is_latest
    ) as latest
    where records.source = latest.source
        and records.is_active
        and records.last_seen_date <> latest.snapshot_date
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of the match keys (int_match_keys__collected): the keys of records the current
    records rewrote since the keys were collected go (the model collects them again), and so do
    the keys of records the current records no longer hold. Two narrow deletes: the first reads
    only the rewritten records, the second only record numbers. They run and commit before the
    model's own transaction, so the memory they hold is released before the model's query runs
    (the model is safe to re-run after a failure: it collects again whatever is newer than the
    keys it still has). -#}
{% macro drop_outdated_keys() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where record_index in (
        select records.record_index
        from {{ ref('int_source_records__current') }} as records
        where {{ stamped_after_last_read('records.versioned_at', this) }}
    );
    {{ release_deleted_rows() }};
    delete from {{ this }} as collected
    where not exists (
        select 1 from {{ ref('int_source_records__current') }} as records
        where records.record_index = collected.record_index
    );
    {{ release_deleted_rows() }}
    {%- endif -%}
{%- endmacro %}


{#- After a large delete DuckDB holds the blocks of the rows it deleted in memory until the next
    checkpoint; one checkpoint frees them for the queries that follow. Other warehouses manage
    this themselves. -#}
{% macro release_deleted_rows() -%}
    {{ return(adapter.dispatch('release_deleted_rows')()) }}
{%- endmacro %}

{% macro default__release_deleted_rows() -%}
{%- endmacro %}

{% macro duckdb__release_deleted_rows() -%}
    checkpoint
{%- endmacro %}
