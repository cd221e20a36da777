{#- Texas Health & Human Services (TX): one row per raw record, typed and normalized. -#}
{% set staged %}
with

source as (
    {{ raw_source('source_3', [
        'operation', 'agency_number', 'operation_name', 'address', 'city', 'state', 'zip',
        'county', 'phone', 'type', 'status', 'issue_date', 'capacity', 'email_address',
        'facility_id', 'monitoring_frequency', 'infant', 'toddler', 'preschool', 'school',
    ]) }}
),

phones as (
    {{ lookup_source('phones', among='phone') }}
),

street_lines as (
    {{ lookup_source('street_lines', among='address') }}
),

facility_names as (
    {{ lookup_source('facility_names', among='operation_name') }}
),

facility_types as (
    select * from {{ ref('facility_types') }}
    where source = 'source_3'
),

us_states as (
    select * from {{ ref('us_states') }}
),

prepared as (
    {#- One Y/N column per age group. -#}
    select
        source.*,
        {{ yes_no('source.infant') }} as serves_infants,
        {{ yes_no('source.toddler') }} as serves_toddlers,
        {{ yes_no('source.preschool') }} as serves_preschool,
        {{ yes_no('source.school') }} as serves_school_age
    from source
),

renamed as (
    select
        ---------- ids
        'source_3' as source,
        {{ natural_key('source_3', 'prepared.operation') }} as natural_key,
        {{ clean_text('prepared.facility_id') }} as provider_id,

        ---------- license
        {{ clean_text('prepared.operation') }} as license_number,
        {{ clean_text('prepared.type') }} as license_type,
        {{ clean_text('prepared.status') }} as license_status,
        {{ parse_date(clean_text('prepared.issue_date'), 'prepared._snapshot_date') }} as license_issued,
        coalesce(facility_types.facility_type, 'other') as facility_type,

        ---------- facility
        coalesce(facility_names.repaired, {{ clean_text('prepared.operation_name') }}) as company,
        phones.e164 as phone,
        phones.extension as phone_extension,
        {{ email_address('prepared.email_address') }} as email,
        {{ positive_integer('prepared.capacity') }} as capacity,

        ---------- address: the unit is split off the street line
        street_lines.address1,
        street_lines.address2,
        upper({{ clean_text('prepared.city') }}) as city,
        coalesce(us_states.state_code, 'TX') as state,
        {{ zip5('prepared.zip') }} as zip,
        upper({{ clean_text('prepared.county') }}) as county,

        ---------- ages
        {{ age_columns({
            'Infants': 'prepared.serves_infants',
            'Toddlers': 'prepared.serves_toddlers',
            'Preschool': 'prepared.serves_preschool',
            'School-age': 'prepared.serves_school_age',
        }) }},

        ---------- match keys
        street_lines.street_key || ' ' || {{ zip5('prepared.zip') }} as address_key,
        street_lines.street_number,
        facility_names.name_key,

        ---------- lineage
        prepared._snapshot_date as snapshot_date,
        prepared._file_name as file_name,
        prepared._record_number as record_number,
        prepared._dlt_load_id as load_id,
        prepared._parse_error as parse_error,

        ---------- checked values: raw text (<column>__raw) and, for lookups, the problem
        prepared.operation as license_number__raw,
        case
            when {{ clean_text('prepared.operation') }} is null then 'missing_license_number'
        end as license_number__problem,
        prepared.issue_date as license_issued__raw,
        prepared.type as facility_type__raw,
        case
            when {{ clean_text('prepared.type') }} is not null
                and facility_types.facility_type is null then 'unmapped_license_type'
        end as facility_type__problem,
        prepared.phone as phone__raw,
        {{ lookup_problem('prepared.phone', 'phones') }} as phone__problem,
        prepared.email_address as email__raw,
        prepared.capacity as capacity__raw,
        prepared.address as address1__raw,
        {{ lookup_problem('prepared.address', 'street_lines') }} as address1__problem,
        prepared.state as state__raw,
        case
            when {{ clean_text('prepared.state') }} is not null and us_states.state_code is null then 'invalid_state'
        end as state__problem,
        prepared.zip as zip__raw,
        case
            {%- for column, flag in [
                ('infant', 'serves_infants'), ('toddler', 'serves_toddlers'),
                ('preschool', 'serves_preschool'), ('school', 'serves_school_age'),
            ] %}
            when {{ clean_text('prepared.' ~ column) }} is not null and prepared.{{ flag }} is null
                then '{{ column }}: ' || {{ clean_text('prepared.' ~ column) }}
            {%- endfor %}
        end as ages_served__raw,
        prepared.operation_name as company__raw,
        case when facility_names.repaired is not null then 'text_repaired' end as company__problem,
        prepared.operation_name as name_key__raw,
        {{ lookup_problem('prepared.operation_name', 'facility_names') }} as name_key__problem

    from prepared
    left join phones on prepared.phone = phones.raw_value
    left join street_lines on prepared.address = street_lines.raw_value
    left join facility_names on prepared.operation_name = facility_names.raw_value
    left join facility_types on upper({{ clean_text('prepared.type') }}) = facility_types.license_type
    left join us_states on {{ state_spelling('prepared.state') }} = us_states.spelling
),

checked as (
    select
        *,
        {{ rejected_if_null('license_issued', 'invalid_date') }},
        {{ rejected_if_null('email', 'invalid_email') }},
        {{ rejected_if_null('capacity', 'invalid_capacity') }},
        {{ rejected_if_null('zip', 'invalid_zip') }},
        case when ages_served__raw is not null then 'invalid_flag' end as ages_served__problem
    from renamed
)

select * from checked
{% endset %}

{{ raw_text_of_problems_only(staged) }}
