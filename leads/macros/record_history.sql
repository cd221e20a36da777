{#-
    Rules shared by the record-history and identity models (models/intermediate, models/marts):
    what a change of a record is (its row hash, its changed columns), how an event picks its
    version, lead ids, survivorship. The record shape itself is `record_columns()`; the models
    write their columns out.
-#}

{#- Lineage columns of the record shape: where a record was read, not what it says. -#}
{% macro record_lineage_columns() -%}
    {{ return(['source', 'natural_key', 'snapshot_date', 'file_name', 'record_number', 'load_id']) }}
{%- endmacro %}


{#- The contract columns a record fills, (name, type) in contract order: what a change is. -#}
{% macro record_content_columns() -%}
    {%- set skipped = record_lineage_columns() + match_key_columns() -%}
    {%- set columns = [] -%}
    {%- for name, type in record_columns() if name not in skipped -%}
        {%- do columns.append((name, type)) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{#- Hash of a record's contract columns: two versions of a record differ when their hashes do. -#}
{% macro record_row_hash(relation_alias) -%}
    {%- set parts = [] -%}
    {%- for name, type in record_content_columns() -%}
        {%- do parts.append("coalesce(cast(" ~ relation_alias ~ "." ~ name ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}


{#- Comma-joined contract names of the columns whose values differ between two versions. -#}
{% macro record_changed_columns(new_alias, old_alias) -%}
    nullif(concat_ws(','
    {%- for name, type in record_content_columns() %},
        case when {{ new_alias }}.{{ name }} is distinct from {{ old_alias }}.{{ name }} then '{{ name }}' end
    {%- endfor %}
    ), '')
{%- endmacro %}


{#- `'source_1', 'source_2', ...`: the lead sources, for an `in (...)` list. -#}
{% macro lead_source_list() -%}
    {%- for source_id in lead_sources() -%}'{{ source_id }}'{{ ", " if not loop.last }}{%- endfor -%}
{%- endmacro %}


{#- 1, 2, 3, ...: a source's place in the contract's order (ties in survivorship and anchors). -#}
{% macro lead_source_rank(column) -%}
    case {{ column }}
    {%- for source_id in lead_sources() %}
        when '{{ source_id }}' then {{ loop.index }}
    {%- endfor %}
    end
{%- endmacro %}


{#- A record's own lead id: the id of the lead it anchors, and of its lead when it is alone. The
    rule's one home: the resolve step reads the ids this computes (`own_lead_id`). -#}
{% macro record_lead_id(source_column, natural_key_column) -%}
    {{ dbt.hash(dbt.concat([source_column, "':'", natural_key_column])) }}
{%- endmacro %}


{#- The first non-NULL value of `column` in `order_by` order within a group (an aggregate). -#}
{% macro first_present(column, order_by) -%}
    {{ return(adapter.dispatch('first_present')(column, order_by)) }}
{%- endmacro %}

{% macro default__first_present(column, order_by) -%}
    (array_agg({{ column }} order by {{ order_by }}) filter (where {{ column }} is not null))[1]
{%- endmacro %}

{#- DuckDB: a hash aggregate instead of one sort per column; `order_by` must be one ascending key.
    arg_min skips a row whose key is null: a null value is left out by nulling its key, which
    DuckDB aggregates faster than a filter per column. -#}
{% macro duckdb__first_present(column, order_by) -%}
    arg_min({{ column }}, case when {{ column }} is not null then {{ order_by }} end)
{%- endmacro %}


{#-
    The value an event of `int_source_records__versioned` carries for `column`, from the full
    outer join of a snapshot (`new_side`) with the one before it (`old_side`) on natural key: a
    record only the old side has is deleted and keeps its last version; every other event carries
    the new side's version.
-#}
{% macro event_value(column, new_side='current_side', old_side='previous_side') -%}
    case when {{ new_side }}.natural_key is null then {{ old_side }}.{{ column }} else {{ new_side }}.{{ column }} end
{%- endmacro %}


{#-
    The snapshots the history model must compare in this run: all of them when it is built from
    scratch; when incremental, those whose `snapshot` row in the model is missing or out of date
    (a new snapshot, a late older one shifting the one after it, another file for a snapshot).
-#}
{% macro pending_snapshots(snapshots) -%}
    {%- set rules = history_rules() -%}
    select snapshots.*
    from {{ snapshots }} as snapshots
    {%- if is_incremental() %}
    left join (
        select
            source, snapshot_date, previous_snapshot_date, snapshot_fingerprint, previous_fingerprint,
            rules_version
        from {{ this }}
        where change_type = 'snapshot'
    ) as compared
        on snapshots.source = compared.source
        and snapshots.snapshot_date = compared.snapshot_date
    where compared.source is null
        or compared.snapshot_fingerprint <> snapshots.snapshot_fingerprint
        or compared.previous_snapshot_date is distinct from snapshots.previous_snapshot_date
        or compared.previous_fingerprint is distinct from snapshots.previous_fingerprint
        {%- if rules %}
        or compared.rules_version is distinct from '{{ rules }}'
        {%- endif %}
    {%- endif %}
{%- endmacro %}


{#-
    The version of the rules a record's values come from (LEADS_HISTORY_RULES, a digest of the
    staging models, macros and seeds that `leads transform` sets): what the history models
    computed under other rules is computed again. Empty when dbt runs without it (then nothing is
    recomputed for that reason) and in unit tests.
-#}
{% macro history_rules() -%}
    {%- if execute and model.resource_type == 'unit_test' -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(env_var('LEADS_HISTORY_RULES', '')) }}
{%- endmacro %}


{#- The time of this dbt run, stamped on the history rows it computes (`compared_at`). -#}
{% macro compared_at() -%}
    cast('{{ run_started_at.replace(tzinfo=none).isoformat(sep=' ') }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- A stamp (`column`), with rows stamped before the stamps existed as one early stamp, so that
    stamps compare in every warehouse. -#}
{% macro comparison_stamp(column) -%}
    coalesce({{ column }}, cast('1900-01-01' as {{ dbt.type_timestamp() }}))
{%- endmacro %}


{#- Whether a model can look values up before its SQL runs and write them in as constants: when
    dbt executes it incrementally against a real table (not at parse time, a full build or a unit
    test, whose `this` is a fixture). -#}
{% macro looks_up_constants() -%}
    {{ return(execute and is_incremental() and model.resource_type != 'unit_test') }}
{%- endmacro %}


{#-
    The snapshot dates an incremental run of the history model reads, looked up before the model
    runs so the warehouse can skip every other file: `current`, the pending snapshots, and
    `previous`, the ones they are compared with, and `both` (each a list of ISO dates, empty when
    nothing is pending; none when every snapshot is read: a full build, or a unit test). The dates only
    prune the scan: the join with the pending snapshots still pairs each source's own.
-#}
{% macro pending_scan_dates(snapshots) -%}
    {%- if not looks_up_constants() -%}
        {{ return({'current': none, 'previous': none, 'both': none}) }}
    {%- endif -%}
    {%- set found = run_query(
        "select distinct snapshot_date, previous_snapshot_date from (" ~ pending_snapshots(snapshots) ~ ") as pending"
    ) -%}
    {%- set current = found.columns[0].values() | map('string') | unique | list -%}
    {%- set previous = found.columns[1].values() | reject('none') | map('string') | unique | list -%}
    {{ return({'current': current, 'previous': previous, 'both': current + previous}) }}
{%- endmacro %}


{#- `column` is one of `dates` (ISO dates; none: any date), as a constant the warehouse pushes
    down to the tables it scans. -#}
{% macro snapshot_date_among(column, dates) -%}
    {%- if dates is none -%}
    1 = 1
    {%- elif dates -%}
    {{ column }} in ({% for day in dates %}cast('{{ day }}' as date){{ ", " if not loop.last }}{% endfor %})
    {%- else -%}
    1 = 0
    {%- endif -%}
{%- endmacro %}


{#- One side of int_source_records__versioned's comparison, inside that model (it reads the
    model's `comparisons` and `changed_keys`): the rows of the snapshot on `side` of each pending
    comparison (`snapshot_date` or `previous_snapshot_date`) whose landed text may have changed,
    one per natural key (a key repeated within a file keeps its last row), with their row hash.
    `dates` (pending_scan_dates) are constants the warehouse pushes down to staging: only the
    snapshots this side compares are read. -#}
{% macro compared_side(side, dates) -%}
    select
        ranked.*,
        {{ record_row_hash('ranked') }} as row_hash
    from (
        select
            comparison.snapshot_date as compared_on,
            comparison.previous_snapshot_date as compared_with,
            unioned.*,
            row_number() over (
                partition by unioned.source, unioned.snapshot_date, unioned.natural_key
                order by unioned.file_name desc, unioned.record_number desc
            ) as key_rank
        from {{ ref('int_source_records__unioned') }} as unioned
        inner join comparisons as comparison
            on unioned.source = comparison.source
            and unioned.snapshot_date = comparison.{{ side }}
        left join changed_keys
            on unioned.source = changed_keys.source
            and comparison.snapshot_date = changed_keys.compared_on
            and unioned.natural_key = changed_keys.natural_key
        where unioned.natural_key is not null
            and (not comparison.compares_changed_keys or changed_keys.natural_key is not null)
            and {{ snapshot_date_among('unioned.snapshot_date', dates) }}
    ) as ranked
    where ranked.key_rank = 1
{%- endmacro %}
