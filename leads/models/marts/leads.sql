with

records as (
    select * from {{ ref('int_source_records__current') }}
),

history as (
    select
        source,
        natural_key,
        min(snapshot_date) as first_seen_date,
        max(snapshot_date) as last_seen_date
    from {{ ref('int_source_records__unioned') }}
    group by source, natural_key
),

leads as (
    select
        {{ dbt.hash(dbt.concat(["records.source", "':'", "records.natural_key"])) }} as lead_id,
        {%- for name, type in record_columns() if name not in ['source', 'natural_key', 'snapshot_date', 'file_name', 'record_number', 'load_id'] + match_key_columns() %}
        {% if name == 'phone' -%}
        cast(records.phone as {{ type }}) as phone,
        cast(null as {{ dbt.type_string() }}) as phone2,
        {%- else -%}
        cast(records.{{ name }} as {{ type }}) as {{ name }},
        {%- endif -%}
        {%- endfor %}

        ---------- lineage and status
        records.source as sources,
        1 as source_record_count,
        cast(null as {{ dbt.type_string() }}) as match_rule,
        history.first_seen_date,
        history.last_seen_date,
        true as is_active,
        cast(null as {{ dbt.type_string() }}) as salesforce_lead_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_status,
        cast(null as date) as salesforce_created_date,
        cast(null as date) as salesforce_last_activity_date,
        cast(null as boolean) as salesforce_is_converted,
        true as is_net_new

    from records
    left join history
        on records.source = history.source
        and records.natural_key = history.natural_key
)

select * from leads
