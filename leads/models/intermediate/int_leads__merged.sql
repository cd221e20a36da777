{#-
    One row per lead of more than one source record: each column from the most recent snapshot
    that has a value (the members' recency rank: last seen first, ties in the contract's source
    order, then natural key), the next differing phone, the sources, and the lead's activity.
    Leads of one record take their record's values as they are (`leads`), so only these are
    aggregated. Each part reads the tables it needs instead of a shared wide CTE, which the
    warehouse would otherwise materialize whole.
-#}
{%- set content = record_content_columns() -%}

with

members as (
    select
        clustered.lead_id,
        clustered.member_recency,
        clustered.match_rule,
        records.first_seen_date,
        records.last_seen_date,
        records.is_active,
        {%- for name, type in content %}
        records.{{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('int_source_records__clustered') }} as clustered
    inner join {{ ref('int_source_records__current') }} as records
        on clustered.record_index = records.record_index
    where clustered.member_count > 1
),

survived as (
    select
        lead_id,
        {%- for name, type in content %}
        {{ first_present(name, 'member_recency') }} as {{ name }},
        {%- endfor %}
        count(*) as source_record_count,
        max(match_rule) as match_rule,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date,
        max(case when is_active then 1 else 0 end) = 1 as is_active
    from members
    group by lead_id
),

member_phones as (
    select clustered.lead_id, clustered.member_recency, records.phone
    from {{ ref('int_source_records__clustered') }} as clustered
    inner join {{ ref('int_source_records__current') }} as records
        on clustered.record_index = records.record_index
    where clustered.member_count > 1
        and records.phone is not null
),

lead_phones as (
    select lead_id, {{ first_present('phone', 'member_recency') }} as phone
    from member_phones
    group by lead_id
),

second_phones as (
    select
        member_phones.lead_id,
        {{ first_present('member_phones.phone', 'member_phones.member_recency') }} as phone2
    from member_phones
    inner join lead_phones on member_phones.lead_id = lead_phones.lead_id
    where member_phones.phone <> lead_phones.phone
    group by member_phones.lead_id
),

lead_sources as (
    select lead_id, {{ dbt.listagg('source', "','", 'order by source') }} as sources
    from (
        select distinct lead_id, source
        from {{ ref('int_source_records__clustered') }}
        where member_count > 1
    ) as distinct_sources
    group by lead_id
)

select
    survived.*,
    second_phones.phone2,
    lead_sources.sources
from survived
inner join lead_sources on survived.lead_id = lead_sources.lead_id
left join second_phones on survived.lead_id = second_phones.lead_id
