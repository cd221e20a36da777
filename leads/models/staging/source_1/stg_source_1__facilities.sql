with

source as (
    {{ raw_source('source_1', [
        'name', 'credential_type', 'credential_number', 'status', 'expiration_date',
        'disciplinary_action', 'address', 'state', 'county', 'phone', 'first_issue_date',
        'primary_contact_name', 'primary_contact_role',
    ]) }}
),

renamed as (
    select
        ---------- ids
        'source_1' as source,
        {{ clean_text('credential_number') }} as natural_key,
        {{ clean_text('credential_number') }} as license_number,

        ---------- facility
        {{ clean_text('name') }} as company,
        {{ clean_text('credential_type') }} as license_type,
        {{ clean_text('status') }} as license_status,
        upper({{ clean_text('county') }}) as county,
        upper({{ clean_text('state') }}) as state,
        {{ clean_text('phone') }} as phone,

        ---------- lineage
        _snapshot_date as snapshot_date,
        _file_name as file_name,
        _record_number as record_number,
        _dlt_load_id as load_id,
        _parse_error as parse_error

    from source
)

select * from renamed
