{{ config(materialized='view') }}

{#-
    SCD type 2 view of the record history: one row per version of a source record, valid from the
    snapshot that brought it until the snapshot that changed or dropped it (NULL while current).
-#}
with

events as (
    select * from {{ ref('int_source_records__versioned') }}
    where change_type <> 'snapshot'
),

bounded as (
    select
        events.*,
        lead(events.snapshot_date) over (
            partition by events.source, events.natural_key order by events.snapshot_date
        ) as valid_to
    from events
),

versions as (
    select
        ---------- ids
        source,
        natural_key,
        snapshot_date as valid_from,
        valid_to,
        valid_to is null as is_current,
        change_type,
        changed_columns,
        row_hash,

        ---------- the version: lineage
        file_name,
        record_number,

        ---------- the version: contract columns
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

        ---------- match keys
        address_key,
        street_number,
        name_key

    from bounded
    where change_type in ('inserted', 'updated')
)

select * from versions
