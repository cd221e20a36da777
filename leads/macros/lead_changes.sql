{#-
    The hooks of the incremental lead changes (lead_changes). The record history rewrites a
    snapshot's rows whole when it compares the snapshot again, stamping them with that run's time
    (`compared_at`); the lead changes keep the stamp of each row they copied
    (`comparison_stamp`, macros/record_history.sql). A table written before the rows kept their
    stamp gets the column (`add_column_if_missing`); its rows count as stamped early, so those of
    every snapshot compared since are written again.
-#}


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
