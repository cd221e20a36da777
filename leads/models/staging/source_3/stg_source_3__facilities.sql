with

source as (
    {{ raw_source('source_3', [
        'operation', 'agency_number', 'operation_name', 'address', 'city', 'state', 'zip',
        'county', 'phone', 'type', 'status', 'issue_date', 'capacity', 'email_address',
        'facility_id', 'monitoring_frequency', 'infant', 'toddler', 'preschool', 'school',
    ]) }}
),

renamed as (
    select
        ---------- ids
        'source_3' as source,
        {{ clean_text('operation') }} as natural_key,
        {{ clean_text('operation') }} as license_number,
        {{ clean_text('facility_id') }} as provider_id,

        ---------- facility
        {{ clean_text('operation_name') }} as company,
        {{ clean_text('type') }} as license_type,
        {{ clean_text('status') }} as license_status,
        {{ clean_text('address') }} as address1,
        upper({{ clean_text('city') }}) as city,
        upper({{ clean_text('state') }}) as state,
        {{ clean_text('zip') }} as zip,
        upper({{ clean_text('county') }}) as county,
        {{ clean_text('phone') }} as phone,
        lower({{ clean_text('email_address') }}) as email,

        ---------- lineage
        _snapshot_date as snapshot_date,
        _file_name as file_name,
        _record_number as record_number,
        _dlt_load_id as load_id,
        _parse_error as parse_error

    from source
)

select * from renamed
