{#-
    The hooks of the incremental lead changes (lead_changes). The record history rewrites a
    snapshot's rows whole when it compares the snapshot again, stamping them with that run's time
    (`compared_at`); the lead changes keep the stamp of each row they copied
    (`comparison_stamp`, macros/record_history.sql). A table written before the rows kept their
    stamp gets the column (`add_column_if_missing`); its rows count as stamped early, so those of
    every snapshot compared since are written again.
-#}


{#- The comparisons (source, snapshot date, stamp, as text) whose events the table does not hold
    yet, looked up before the model runs; none when every event is read (a full build). They go
    into the model's SQL as constants: joined there with the comparisons the table holds, the
    warehouse misjudged that small set as one row per held event and hashed every event of the
    history instead, which at 10 M records per source ran out of the default memory limit. A table
    written before its rows kept their stamp holds every comparison under the early stamp. -#}
{% macro unheld_comparisons() -%}
    {%- if not looks_up_constants() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set stamped = 'compared_at' in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- set compared = run_query(comparisons_sql(ref('int_source_records__versioned'), 'compared_at', "where change_type = 'snapshot'")) -%}
    {%- set held = run_query(comparisons_sql(this, 'compared_at' if stamped else 'null')) -%}
    {%- set held_rows = held.rows | map('list') | list -%}
    {{ return(compared.rows | map('list') | reject('in', held_rows) | list) }}
{%- endmacro %}


{#- The comparisons of `relation`'s rows (`stamp`: their stamp column), distinct, as text. -#}
{% macro comparisons_sql(relation, stamp, where='') -%}
    select distinct source, cast(snapshot_date as {{ dbt.type_string() }}),
        cast({{ comparison_stamp(stamp) }} as {{ dbt.type_string() }})
    from {{ relation }} {{ where }}
{%- endmacro %}


{#- Whether the event row `alias` belongs to one of `comparisons` (unheld_comparisons; none: any). -#}
{% macro events_of_comparisons(alias, comparisons) -%}
    {%- if comparisons is none -%}
    1 = 1
    {%- elif comparisons -%}
    ({% for source, snapshot_date, stamp in comparisons %}
        ({{ alias }}.source = '{{ source }}'
        and {{ alias }}.snapshot_date = cast('{{ snapshot_date }}' as date)
        and {{ comparison_stamp(alias ~ '.compared_at') }} = cast('{{ stamp }}' as {{ dbt.type_timestamp() }})){{ " or" if not loop.last }}
    {%- endfor %})
    {%- else -%}
    1 = 0
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook: the rows of a snapshot the history no longer holds under the same stamp (compared
    again since, or its events gone) go; the model adds the events of its new comparison. -#}
{% macro drop_recompared_changes() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as changes
    where not exists (
        select 1 from {{ ref('int_source_records__versioned') }} as compared
        where compared.change_type = 'snapshot'
            and compared.source = changes.source
            and compared.snapshot_date = changes.snapshot_date
            and {{ comparison_stamp('compared.compared_at') }} = {{ comparison_stamp('changes.compared_at') }}
    )
    {%- endif -%}
{%- endmacro %}


{#- Post-hook: a record's changes name the lead it belongs to today; one narrow update moves the
    changes of records whose lead changed since they were written. -#}
{% macro move_changes_to_current_leads() -%}
    {%- if is_incremental() -%}
    update {{ this }} as changes
    set lead_id = clustered.lead_id
    from {{ ref('int_source_records__clustered') }} as clustered
    where changes.source = clustered.source
        and changes.natural_key = clustered.natural_key
        and changes.lead_id <> clustered.lead_id
    {%- endif -%}
{%- endmacro %}
