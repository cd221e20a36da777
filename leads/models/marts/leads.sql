{#- Spark's plain Parquet tables have no delete: there the model is rebuilt in full. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ drop_touched_leads() }}",
    post_hook=["{{ remember_written_leads() }}", "{{ move_leads_last_seen_dates() }}"],
) }}

{#-
    One lead per resolved facility: the source records the resolve step clustered (every record
    ever seen belongs to exactly one lead). A lead of one record takes its values as they are; a
    merged lead's values were chosen in `int_leads__merged`. With lineage, activity and the
    matching CRM lead. Columns in the data contract's order (leads.yml enforces it). The records
    and their leads are read where they are needed, not through a shared CTE, which the warehouse
    would materialize whole.

    Incremental on DuckDB and PostgreSQL: a run writes only the leads int_leads__touched lists
    (their members, content, order or CRM match changed, or they are gone), after its pre-hook
    has deleted their rows; the post-hooks remember what was written and move `last_seen_date`.
-#}
-- depends_on: {{ ref('int_leads__touched') }}
with

merged_leads as (
    select * from {{ ref('int_leads__merged') }}
),

crm_matches as (
    select * from {{ ref('int_crm_leads__matched') }}
),

single_record_leads as (
    select
        ---------- id
        clustered.lead_id,

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
        cast(null as {{ dbt.type_string() }}) as phone2,
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
        records.facility_type,

        ---------- lineage and status
        records.source as sources,
        records.source || ':' || records.license_number as licenses,
        1 as source_record_count,
        cast(null as {{ dbt.type_string() }}) as match_rule,
        records.first_seen_date,
        records.last_seen_date,
        records.is_active

    from {{ ref('int_source_records__clustered') }} as clustered
    inner join {{ ref('int_source_records__current') }} as records
        on clustered.record_index = records.record_index
    where clustered.member_count = 1
        and {{ among_touched_leads('clustered.lead_id') }}
),

multi_record_leads as (
    select
        ---------- id
        lead_id,

        ---------- contract columns
        accepts_financial_aid,
        ages_served,
        capacity,
        certificate_expiration_date,
        city,
        address1,
        address2,
        company,
        phone,
        phone_extension,
        phone2,
        county,
        curriculum_type,
        email,
        first_name,
        last_name,
        language,
        license_status,
        license_issued,
        license_number,
        license_renewed,
        license_type,
        licensee_name,
        min_age,
        max_age,
        operator,
        provider_id,
        schedule,
        state,
        title,
        website_address,
        zip,
        facility_type,

        ---------- lineage and status
        sources,
        licenses,
        source_record_count,
        match_rule,
        first_seen_date,
        last_seen_date,
        is_active

    from merged_leads
    where {{ among_touched_leads('merged_leads.lead_id') }}
),

survived as (
    select * from single_record_leads
    union all
    select * from multi_record_leads
),

leads as (
    select
        ---------- id
        cast(survived.lead_id as {{ dbt.type_string() }}) as lead_id,

        ---------- contract columns
        cast(survived.accepts_financial_aid as {{ dbt.type_string() }}) as accepts_financial_aid,
        cast(survived.ages_served as {{ dbt.type_string() }}) as ages_served,
        cast(survived.capacity as {{ dbt.type_int() }}) as capacity,
        cast(survived.certificate_expiration_date as date) as certificate_expiration_date,
        cast(survived.city as {{ dbt.type_string() }}) as city,
        cast(survived.address1 as {{ dbt.type_string() }}) as address1,
        cast(survived.address2 as {{ dbt.type_string() }}) as address2,
        cast(survived.company as {{ dbt.type_string() }}) as company,
        cast(survived.phone as {{ dbt.type_string() }}) as phone,
        cast(survived.phone2 as {{ dbt.type_string() }}) as phone2,
        cast(survived.county as {{ dbt.type_string() }}) as county,
        cast(survived.curriculum_type as {{ dbt.type_string() }}) as curriculum_type,
        cast(survived.email as {{ dbt.type_string() }}) as email,
        cast(survived.first_name as {{ dbt.type_string() }}) as first_name,
        cast(survived.last_name as {{ dbt.type_string() }}) as last_name,
        cast(survived.language as {{ dbt.type_string() }}) as language,
        cast(survived.license_status as {{ dbt.type_string() }}) as license_status,
        cast(survived.license_issued as date) as license_issued,
        cast(survived.license_number as {{ dbt.type_string() }}) as license_number,
        cast(survived.license_renewed as date) as license_renewed,
        cast(survived.license_type as {{ dbt.type_string() }}) as license_type,
        cast(survived.licensee_name as {{ dbt.type_string() }}) as licensee_name,
        cast(survived.min_age as {{ dbt.type_int() }}) as min_age,
        cast(survived.max_age as {{ dbt.type_int() }}) as max_age,
        cast(survived.operator as {{ dbt.type_string() }}) as operator,
        cast(survived.provider_id as {{ dbt.type_string() }}) as provider_id,
        cast(survived.schedule as {{ dbt.type_string() }}) as schedule,
        cast(survived.state as {{ dbt.type_string() }}) as state,
        cast(survived.title as {{ dbt.type_string() }}) as title,
        cast(survived.website_address as {{ dbt.type_string() }}) as website_address,
        cast(survived.zip as {{ dbt.type_string() }}) as zip,
        cast(survived.facility_type as {{ dbt.type_string() }}) as facility_type,

        ---------- lineage and status
        cast(survived.sources as {{ dbt.type_string() }}) as sources,
        cast(survived.source_record_count as {{ dbt.type_int() }}) as source_record_count,
        cast(survived.match_rule as {{ dbt.type_string() }}) as match_rule,
        survived.first_seen_date,
        survived.last_seen_date,
        survived.is_active,

        ---------- the matching CRM lead
        cast(crm_matches.salesforce_lead_id as {{ dbt.type_string() }}) as salesforce_lead_id,
        cast(crm_matches.salesforce_status as {{ dbt.type_string() }}) as salesforce_status,
        cast(crm_matches.salesforce_created_date as date) as salesforce_created_date,
        cast(crm_matches.salesforce_last_activity_date as date) as salesforce_last_activity_date,
        cast(crm_matches.salesforce_is_converted as {{ dbt.type_boolean() }}) as salesforce_is_converted,
        crm_matches.salesforce_lead_id is null as is_net_new,

        ---------- sales details
        cast(survived.phone_extension as {{ dbt.type_string() }}) as phone_extension,
        cast(survived.licenses as {{ dbt.type_string() }}) as licenses

    from survived
    left join crm_matches on survived.lead_id = crm_matches.lead_id
)

select * from leads
