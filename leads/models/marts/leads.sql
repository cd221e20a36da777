{#-
    One lead per resolved facility: the source records the resolve step clustered (every record
    ever seen belongs to exactly one lead). A lead of one record takes its values as they are; a
    merged lead's values were chosen in `int_leads__merged`. With lineage, activity and the
    matching CRM lead.
-#}
{%- set content = record_content_columns() -%}

with

single_record_leads as (
    select
        clustered.lead_id,
        {%- for name, type in content %}
        records.{{ name }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as phone2,
        records.source as sources,
        1 as source_record_count,
        cast(null as {{ dbt.type_string() }}) as match_rule,
        records.first_seen_date,
        records.last_seen_date,
        records.is_active
    from {{ ref('int_source_records__clustered') }} as clustered
    inner join {{ ref('int_source_records__current') }} as records
        on clustered.record_index = records.record_index
    where clustered.member_count = 1
),

merged_leads as (
    select
        lead_id,
        {%- for name, type in content %}
        {{ name }},
        {%- endfor %}
        phone2,
        sources,
        source_record_count,
        match_rule,
        first_seen_date,
        last_seen_date,
        is_active
    from {{ ref('int_leads__merged') }}
),

survived as (
    select * from single_record_leads
    union all
    select * from merged_leads
),

crm_matches as (
    select * from {{ ref('int_crm_leads__matched') }}
),

leads as (
    select
        ---------- contract columns
        cast(survived.lead_id as {{ dbt.type_string() }}) as lead_id,
        {%- for name, type in content %}
        cast(survived.{{ name }} as {{ type }}) as {{ name }},
        {%- if name == 'phone' %}
        cast(survived.phone2 as {{ dbt.type_string() }}) as phone2,
        {%- endif %}
        {%- endfor %}

        ---------- lineage and status
        cast(survived.sources as {{ dbt.type_string() }}) as sources,
        cast(survived.source_record_count as {{ dbt.type_int() }}) as source_record_count,
        cast(survived.match_rule as {{ dbt.type_string() }}) as match_rule,
        survived.first_seen_date,
        survived.last_seen_date,
        survived.is_active,
        cast(crm_matches.salesforce_lead_id as {{ dbt.type_string() }}) as salesforce_lead_id,
        cast(crm_matches.salesforce_status as {{ dbt.type_string() }}) as salesforce_status,
        cast(crm_matches.salesforce_created_date as date) as salesforce_created_date,
        cast(crm_matches.salesforce_last_activity_date as date) as salesforce_last_activity_date,
        cast(crm_matches.salesforce_is_converted as {{ dbt.type_boolean() }}) as salesforce_is_converted,
        crm_matches.salesforce_lead_id is null as is_net_new

    from survived
    left join crm_matches on survived.lead_id = crm_matches.lead_id
)

select * from leads
