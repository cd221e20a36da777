with

source as (
    {{ raw_source('source_2', [
        'type_license', 'company', 'accepts_subsidy', 'year_round', 'daytime_hours', 'star_level',
        'mon', 'tues', 'wed', 'thurs', 'friday', 'saturday', 'sunday', 'primary_caregiver', 'phone',
        'email', 'address1', 'address2', 'city', 'state', 'zip', 'subsidy_contract_number',
        'total_cap', 'ages_accepted_1', 'aa2', 'aa3', 'aa4', 'license_monitoring_since',
        'school_year_only', 'evening_hours',
    ]) }}
),

renamed as (
    select
        ---------- ids
        'source_2' as source,
        {{ clean_text(dbt.split_part('type_license', "' - '", -1)) }} as natural_key,
        {{ clean_text(dbt.split_part('type_license', "' - '", -1)) }} as license_number,

        ---------- facility
        {{ clean_text('company') }} as company,
        {{ clean_text(dbt.split_part('type_license', "' - '", 1)) }} as license_type,
        {{ clean_text('address1') }} as address1,
        {{ clean_text('address2') }} as address2,
        upper({{ clean_text('city') }}) as city,
        upper({{ clean_text('state') }}) as state,
        {{ clean_text('zip') }} as zip,
        {{ clean_text('phone') }} as phone,
        lower({{ clean_text('email') }}) as email,

        ---------- lineage
        _snapshot_date as snapshot_date,
        _file_name as file_name,
        _record_number as record_number,
        _dlt_load_id as load_id,
        _parse_error as parse_error

    from source
)

select * from renamed
