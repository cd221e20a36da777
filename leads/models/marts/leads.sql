{#-
    One lead per resolved facility: the source records the resolve step clustered (every record
    ever seen belongs to exactly one lead), each column taken from the most recent snapshot that
    has a value (ties: the contract's source order, then natural key), with lineage, activity and
    the matching CRM lead.
-#}
{%- set content = record_content_columns() -%}

with

records as (
    select * from {{ ref('int_source_records__current') }}
),

clustered as (
    select * from {{ ref('int_source_records__clustered') }}
),

crm_matches as (
    select * from {{ ref('int_crm_leads__matched') }}
),

lead_sizes as (
    select lead_id, count(*) as member_count
    from clustered
    group by lead_id
),

members as (
    select
        clustered.lead_id,
        clustered.match_rule,
        lead_sizes.member_count,
        records.*
    from records
    inner join clustered
        on records.source = clustered.source
        and records.natural_key = clustered.natural_key
    inner join lead_sizes on clustered.lead_id = lead_sizes.lead_id
),

{#- Most leads are one record and take its values as they are: only the members of merged leads
    are ranked and aggregated, the part whose memory grows with the data. -#}
single_members as (
    select * from members where member_count = 1
),

merged_members as (
    {#- Recency 1 is the record seen last; ties go to the contract's source order. -#}
    select
        members.*,
        row_number() over (
            partition by lead_id
            order by last_seen_date desc, source_rank, natural_key
        ) as recency
    from members
    where member_count > 1
),

survived as (
    select
        lead_id,
        {%- for name, type in content %}
        {{ first_present(name, 'recency') }} as {{ name }},
        {%- endfor %}
        count(*) as source_record_count,
        max(match_rule) as match_rule,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date,
        max(case when is_active then 1 else 0 end) = 1 as is_active
    from merged_members
    group by lead_id

    union all

    select
        lead_id,
        {%- for name, type in content %}
        {{ name }},
        {%- endfor %}
        member_count as source_record_count,
        match_rule,
        first_seen_date,
        last_seen_date,
        case when is_active then true else false end as is_active
    from single_members
),

other_phones as (
    select merged_members.lead_id, merged_members.phone, merged_members.recency
    from merged_members
    inner join survived on merged_members.lead_id = survived.lead_id
    where merged_members.phone <> survived.phone
),

second_phones as (
    select lead_id, {{ first_present('phone', 'recency') }} as phone2
    from other_phones
    group by lead_id
),

lead_sources as (
    select lead_id, {{ dbt.listagg('source', "','", 'order by source') }} as sources
    from (select distinct lead_id, source from merged_members) as distinct_sources
    group by lead_id

    union all

    select lead_id, source as sources
    from single_members
),

leads as (
    select
        ---------- contract columns
        cast(survived.lead_id as {{ dbt.type_string() }}) as lead_id,
        {%- for name, type in content %}
        cast(survived.{{ name }} as {{ type }}) as {{ name }},
        {%- if name == 'phone' %}
        cast(second_phones.phone2 as {{ dbt.type_string() }}) as phone2,
        {%- endif %}
        {%- endfor %}

        ---------- lineage and status
        cast(lead_sources.sources as {{ dbt.type_string() }}) as sources,
        cast(survived.source_record_count as {{ dbt.type_int() }}) as source_record_count,
        cast(case when survived.source_record_count > 1 then survived.match_rule end as {{ dbt.type_string() }}) as match_rule,
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
    inner join lead_sources on survived.lead_id = lead_sources.lead_id
    left join second_phones on survived.lead_id = second_phones.lead_id
    left join crm_matches on survived.lead_id = crm_matches.lead_id
)

select * from leads
