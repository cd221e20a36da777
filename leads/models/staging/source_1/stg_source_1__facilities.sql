{#- Nevada Dept. of Public & Behavioral Health (NV): one row per raw record, typed and normalized. -#}
{% set staged %}
with

source as (
    {{ raw_source('source_1', [
        'name', 'credential_type', 'credential_number', 'status', 'expiration_date',
        'disciplinary_action', 'address', 'state', 'county', 'phone', 'first_issue_date',
        'primary_contact_name', 'primary_contact_role',
    ]) }}
),

phones as (
    {{ lookup_source('phones', among='phone') }}
),

addresses as (
    {{ lookup_source('one_line_addresses', among='address') }}
),

people as (
    {{ lookup_source('people', among='primary_contact_name') }}
),

facility_names as (
    {{ lookup_source('facility_names', among='name') }}
),

facility_types as (
    select * from {{ ref('facility_types') }}
    where source = 'source_1'
),

us_states as (
    select * from {{ ref('us_states') }}
),

renamed as (
    select
        ---------- ids
        'source_1' as source,
        {{ natural_key('source_1', 'source.credential_number') }} as natural_key,

        ---------- license
        {{ clean_text('source.credential_number') }} as license_number,
        {{ clean_text('source.credential_type') }} as license_type,
        {{ clean_text('source.status') }} as license_status,
        {{ parse_date(clean_text('source.first_issue_date'), 'source._snapshot_date') }} as license_issued,
        {{ parse_date(clean_text('source.expiration_date'), 'source._snapshot_date') }} as certificate_expiration_date,
        coalesce(facility_types.facility_type, 'other') as facility_type,

        ---------- facility
        coalesce(facility_names.repaired, {{ clean_text('source.name') }}) as company,
        phones.e164 as phone,
        phones.extension as phone_extension,

        ---------- address: `Address` is one string, split by the one_line_addresses lookup
        addresses.address1,
        addresses.address2,
        addresses.city,
        coalesce(us_states.state_code, addresses.state, 'NV') as state,
        addresses.zip,
        upper({{ clean_text('source.county') }}) as county,

        ---------- contact: the first person named; the owner is the operator
        people.first_name,
        people.last_name,
        {{ clean_text('source.primary_contact_role') }} as title,
        case
            when lower({{ clean_text('source.primary_contact_role') }}) = 'owner' then people.full_name
        end as operator,

        ---------- match keys
        addresses.address_key,
        addresses.street_number,
        facility_names.name_key,

        ---------- lineage
        source._snapshot_date as snapshot_date,
        source._file_name as file_name,
        source._record_number as record_number,
        source._dlt_load_id as load_id,
        source._parse_error as parse_error,

        ---------- checked values: raw text (<column>__raw) and, for lookups, the problem
        source.credential_number as license_number__raw,
        case
            when {{ clean_text('source.credential_number') }} is null then 'missing_license_number'
        end as license_number__problem,
        source.first_issue_date as license_issued__raw,
        source.expiration_date as certificate_expiration_date__raw,
        source.credential_type as facility_type__raw,
        case
            when {{ clean_text('source.credential_type') }} is not null
                and facility_types.facility_type is null then 'unmapped_license_type'
        end as facility_type__problem,
        source.phone as phone__raw,
        {{ lookup_problem('source.phone', 'phones') }} as phone__problem,
        source.address as address1__raw,
        {{ lookup_problem('source.address', 'addresses') }} as address1__problem,
        source.state as state__raw,
        case
            when {{ clean_text('source.state') }} is not null and us_states.state_code is null then 'invalid_state'
        end as state__problem,
        source.primary_contact_name as first_name__raw,
        {{ lookup_problem('source.primary_contact_name', 'people') }} as first_name__problem,
        source.name as company__raw,
        case when facility_names.repaired is not null then 'text_repaired' end as company__problem,
        source.name as name_key__raw,
        {{ lookup_problem('source.name', 'facility_names') }} as name_key__problem

    from source
    left join phones on source.phone = phones.raw_value
    left join addresses on source.address = addresses.raw_value
    left join people on source.primary_contact_name = people.raw_value
    left join facility_names on source.name = facility_names.raw_value
    left join facility_types on upper({{ clean_text('source.credential_type') }}) = facility_types.license_type
    left join us_states on {{ state_spelling('source.state') }} = us_states.spelling
),

checked as (
    select
        *,
        {{ rejected_if_null('license_issued', 'invalid_date') }},
        {{ rejected_if_null('certificate_expiration_date', 'invalid_date') }}
    from renamed
)

select * from checked
{% endset %}

{{ raw_text_of_problems_only(staged) }}
