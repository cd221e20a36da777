with

source as (
    {{ raw_source('salesforce', [
        'id', 'is_deleted', 'last_name', 'first_name', 'title', 'company', 'street', 'city',
        'state', 'postal_code', 'country', 'phone', 'mobile_phone', 'email', 'website',
        'lead_source', 'status', 'is_converted', 'created_date', 'last_modified_date',
        'last_activity_date',
    ]) }}
),

renamed as (
    select
        ---------- ids
        {{ clean_text('id') }} as salesforce_lead_id,

        ---------- lead
        {{ clean_text('company') }} as company,
        {{ clean_text('street') }} as street,
        upper({{ clean_text('city') }}) as city,
        {{ clean_text('state') }} as state,
        {{ clean_text('postal_code') }} as postal_code,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('mobile_phone') }} as mobile_phone,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('status') }} as status,
        upper({{ clean_text('is_deleted') }}) = 'TRUE' as is_deleted,
        upper({{ clean_text('is_converted') }}) = 'TRUE' as is_converted,

        ---------- lineage
        _snapshot_date as snapshot_date,
        _file_name as file_name,
        _record_number as record_number,
        _dlt_load_id as load_id

    from source
)

select * from renamed
