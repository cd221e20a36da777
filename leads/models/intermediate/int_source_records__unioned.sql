{{ config(materialized='view') }}

{#- Every snapshot's records of every lead source, in the record shape (contract columns and match
    keys), from the current version of each file. -#}
with

unioned as (
    {#- The record shape (`record_columns()`): a column a source's staging model lacks is NULL. -#}
    {%- for source_id in lead_sources() %}
    {{ select_columns(ref('stg_' ~ source_id ~ '__facilities'), record_columns()) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

current_files as (
    {#- A file delivered again under its path replaces its earlier version: only the current one counts. -#}
    select source, file_name, load_id
    from {{ ref('int_source_files__loaded') }}
    where is_current
),

current_records as (
    select
        ---------- ids
        unioned.source,
        unioned.natural_key,

        ---------- lineage
        unioned.snapshot_date,
        unioned.file_name,
        unioned.record_number,
        unioned.load_id,

        ---------- contract columns
        unioned.accepts_financial_aid,
        unioned.ages_served,
        unioned.capacity,
        unioned.certificate_expiration_date,
        unioned.city,
        unioned.address1,
        unioned.address2,
        unioned.company,
        unioned.phone,
        unioned.phone_extension,
        unioned.county,
        unioned.curriculum_type,
        unioned.email,
        unioned.first_name,
        unioned.last_name,
        unioned.language,
        unioned.license_status,
        unioned.license_issued,
        unioned.license_number,
        unioned.license_renewed,
        unioned.license_type,
        unioned.licensee_name,
        unioned.min_age,
        unioned.max_age,
        unioned.operator,
        unioned.provider_id,
        unioned.schedule,
        unioned.state,
        unioned.title,
        unioned.website_address,
        unioned.zip,
        unioned.facility_type,

        ---------- match keys
        unioned.address_key,
        unioned.street_number,
        unioned.name_key

    from unioned
    inner join current_files
        on unioned.source = current_files.source
        and unioned.file_name = current_files.file_name
        and unioned.load_id = current_files.load_id
)

select * from current_records
