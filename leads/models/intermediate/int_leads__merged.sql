{#-
    One row per lead of more than one source record: each column from the most recent snapshot
    that has a value (the members' recency rank: last seen first, ties in the contract's source
    order, then natural key), the extension written with the chosen phone, the next differing
    phone, the sources and licences, and the lead's activity.
    Leads of one record take their record's values as they are (`leads`), so only these are
    aggregated, and only those `leads` writes in this run (int_leads__touched: every lead unless
    `leads` writes only the changed ones). Each part reads the tables it needs instead of a shared wide CTE, which the
    warehouse would otherwise materialize whole.
-#}
-- depends_on: {{ ref('int_leads__touched') }}
{{ config(post_hook="{{ insert_other_batches() }}") }}
{#- A batch of leads at a time when their members are many (macros/batches.sql). -#}
{%- set batches = batch_count(
    ref('int_source_records__clustered'), 'member_count > 1 and ' ~ among_touched_leads('lead_id')
) %}
with

members as (
    select
        ---------- the member
        clustered.lead_id,
        clustered.member_recency,
        clustered.match_rule,
        records.first_seen_date,
        records.last_seen_date,
        records.is_active,

        ---------- contract columns
        records.accepts_financial_aid,
        records.ages_served,
        records.capacity,
        records.certificate_expiration_date,
        records.city,
        records.address1,
        records.address2,
        records.company,
        records.phone,
        records.phone_extension,
        records.county,
        records.curriculum_type,
        records.email,
        records.first_name,
        records.last_name,
        records.language,
        records.license_status,
        records.license_issued,
        records.license_number,
        records.license_renewed,
        records.license_type,
        records.licensee_name,
        records.min_age,
        records.max_age,
        records.operator,
        records.provider_id,
        records.schedule,
        records.state,
        records.title,
        records.website_address,
        records.zip,
        records.facility_type

    {{ merged_members_of_batch(batches) }}
),

survived as (
    select
        lead_id,

        ---------- contract columns: the most recent member's value
        {{ first_present('accepts_financial_aid', 'member_recency') }} as accepts_financial_aid,
        {{ first_present('ages_served', 'member_recency') }} as ages_served,
        {{ first_present('capacity', 'member_recency') }} as capacity,
        {{ first_present('certificate_expiration_date', 'member_recency') }} as certificate_expiration_date,
        {{ first_present('city', 'member_recency') }} as city,
        {{ first_present('address1', 'member_recency') }} as address1,
        {{ first_present('address2', 'member_recency') }} as address2,
        {{ first_present('company', 'member_recency') }} as company,
        {{ first_present('phone', 'member_recency') }} as phone,
        {{ first_present('county', 'member_recency') }} as county,
        {{ first_present('curriculum_type', 'member_recency') }} as curriculum_type,
        {{ first_present('email', 'member_recency') }} as email,
        {{ first_present('first_name', 'member_recency') }} as first_name,
        {{ first_present('last_name', 'member_recency') }} as last_name,
        {{ first_present('language', 'member_recency') }} as language,
        {{ first_present('license_status', 'member_recency') }} as license_status,
        {{ first_present('license_issued', 'member_recency') }} as license_issued,
        {{ first_present('license_number', 'member_recency') }} as license_number,
        {{ first_present('license_renewed', 'member_recency') }} as license_renewed,
        {{ first_present('license_type', 'member_recency') }} as license_type,
        {{ first_present('licensee_name', 'member_recency') }} as licensee_name,
        {{ first_present('min_age', 'member_recency') }} as min_age,
        {{ first_present('max_age', 'member_recency') }} as max_age,
        {{ first_present('operator', 'member_recency') }} as operator,
        {{ first_present('provider_id', 'member_recency') }} as provider_id,
        {{ first_present('schedule', 'member_recency') }} as schedule,
        {{ first_present('state', 'member_recency') }} as state,
        {{ first_present('title', 'member_recency') }} as title,
        {{ first_present('website_address', 'member_recency') }} as website_address,
        {{ first_present('zip', 'member_recency') }} as zip,
        {{ first_present('facility_type', 'member_recency') }} as facility_type,

        ---------- the lead's members
        count(*) as source_record_count,
        max(match_rule) as match_rule,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date,
        max(case when is_active then 1 else 0 end) = 1 as is_active

    from members
    group by lead_id
),

member_phones as (
    select clustered.lead_id, clustered.member_recency, records.phone, records.phone_extension
    {{ merged_members_of_batch(batches) }}
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

phone_extensions as (
    {#- The extension written with the lead's phone: the most recent member's with that phone. -#}
    select
        member_phones.lead_id,
        {{ first_present('member_phones.phone_extension', 'member_phones.member_recency') }} as phone_extension
    from member_phones
    inner join lead_phones
        on member_phones.lead_id = lead_phones.lead_id
        and member_phones.phone = lead_phones.phone
    group by member_phones.lead_id
),

lead_sources as (
    select lead_id, {{ dbt.listagg('source', "','", 'order by source') }} as sources
    from (
        select distinct clustered.lead_id, clustered.source
        from {{ ref('int_source_records__clustered') }} as clustered
        where clustered.member_count > 1
            and {{ among_touched_leads('clustered.lead_id') }}
            and {{ lead_batch('clustered.lead_id', batches) }}
    ) as distinct_sources
    group by lead_id
),

lead_licenses as (
    {#- Every agency licence behind the lead: `source:license_number`, sorted. -#}
    select lead_id, {{ dbt.listagg('license', "','", 'order by license') }} as licenses
    from (
        select distinct clustered.lead_id, clustered.source || ':' || records.license_number as license
        {{ merged_members_of_batch(batches) }}
            and records.license_number is not null
    ) as distinct_licenses
    group by lead_id
),

merged_leads as (
    select
        ---------- id
        survived.lead_id,

        ---------- contract columns
        survived.accepts_financial_aid,
        survived.ages_served,
        survived.capacity,
        survived.certificate_expiration_date,
        survived.city,
        survived.address1,
        survived.address2,
        survived.company,
        survived.phone,
        phone_extensions.phone_extension,
        survived.county,
        survived.curriculum_type,
        survived.email,
        survived.first_name,
        survived.last_name,
        survived.language,
        survived.license_status,
        survived.license_issued,
        survived.license_number,
        survived.license_renewed,
        survived.license_type,
        survived.licensee_name,
        survived.min_age,
        survived.max_age,
        survived.operator,
        survived.provider_id,
        survived.schedule,
        survived.state,
        survived.title,
        survived.website_address,
        survived.zip,
        survived.facility_type,

        ---------- lineage and status
        survived.source_record_count,
        survived.match_rule,
        survived.first_seen_date,
        survived.last_seen_date,
        survived.is_active,
        second_phones.phone2,
        lead_sources.sources,
        lead_licenses.licenses

    from survived
    inner join lead_sources on survived.lead_id = lead_sources.lead_id
    left join lead_licenses on survived.lead_id = lead_licenses.lead_id
    left join second_phones on survived.lead_id = second_phones.lead_id
    left join phone_extensions on survived.lead_id = phone_extensions.lead_id
)

select * from merged_leads
