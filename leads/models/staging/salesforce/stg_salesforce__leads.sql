{#- The CRM's lead export: one row per raw record, with the keys leads are matched on. -#}
{% set staged %}
with

source as (
    {{ raw_source('salesforce', [
        'id', 'is_deleted', 'last_name', 'first_name', 'title', 'company', 'street', 'city',
        'state', 'postal_code', 'country', 'phone', 'mobile_phone', 'email', 'website',
        'lead_source', 'status', 'is_converted', 'created_date', 'last_modified_date',
        'last_activity_date',
    ]) }}
),

phones as (
    {{ lookup_source('phones', among=['phone', 'mobile_phone']) }}
),

street_lines as (
    {{ lookup_source('street_lines', among='street') }}
),

facility_names as (
    {{ lookup_source('facility_names', among='company') }}
),

us_states as (
    select * from {{ ref('us_states') }}
),

renamed as (
    select
        ---------- ids
        'salesforce' as source,
        {{ natural_key('salesforce', 'source.id') }} as salesforce_lead_id,

        ---------- lead
        coalesce(facility_names.repaired, {{ clean_text('source.company') }}) as company,
        {{ clean_text('source.first_name') }} as first_name,
        {{ clean_text('source.last_name') }} as last_name,
        {{ clean_text('source.title') }} as title,
        {{ clean_text('source.website') }} as website,
        {{ clean_text('source.lead_source') }} as lead_source,
        {{ clean_text('source.status') }} as status,
        coalesce({{ yes_no('source.is_deleted') }}, false) as is_deleted,
        coalesce({{ yes_no('source.is_converted') }}, false) as is_converted,

        ---------- contact
        mobile.e164 as mobile_phone,
        phones.e164 as phone,
        {{ email_address('source.email') }} as email,

        ---------- address
        street_lines.address1,
        street_lines.address2,
        upper({{ clean_text('source.city') }}) as city,
        us_states.state_code as state,
        {{ zip5('source.postal_code') }} as zip,

        ---------- dates: the date part of `2023-06-01 6:35:38`
        {{ parse_date(dbt.split_part(clean_text('source.created_date'), "' '", 1), 'source._snapshot_date') }}
            as created_date,
        {{ parse_date(dbt.split_part(clean_text('source.last_modified_date'), "' '", 1), 'source._snapshot_date') }}
            as last_modified_date,
        {{ parse_date(dbt.split_part(clean_text('source.last_activity_date'), "' '", 1), 'source._snapshot_date') }}
            as last_activity_date,

        ---------- match keys
        street_lines.street_key || ' ' || {{ zip5('source.postal_code') }} as address_key,
        street_lines.street_number,
        facility_names.name_key,

        ---------- lineage
        source._snapshot_date as snapshot_date,
        source._file_name as file_name,
        source._record_number as record_number,
        source._dlt_load_id as load_id,
        source._parse_error as parse_error,

        ---------- checked values: raw text (<column>__raw) and, for lookups, the problem
        source.id as salesforce_lead_id__raw,
        case when {{ clean_text('source.id') }} is null then 'missing_id' end as salesforce_lead_id__problem,
        source.is_deleted as is_deleted__raw,
        case
            when {{ clean_text('source.is_deleted') }} is not null
                and {{ yes_no('source.is_deleted') }} is null then 'invalid_flag'
        end as is_deleted__problem,
        source.is_converted as is_converted__raw,
        case
            when {{ clean_text('source.is_converted') }} is not null
                and {{ yes_no('source.is_converted') }} is null then 'invalid_flag'
        end as is_converted__problem,
        source.mobile_phone as mobile_phone__raw,
        {{ lookup_problem('source.mobile_phone', 'mobile') }} as mobile_phone__problem,
        source.phone as phone__raw,
        {{ lookup_problem('source.phone', 'phones') }} as phone__problem,
        source.email as email__raw,
        source.street as address1__raw,
        {{ lookup_problem('source.street', 'street_lines') }} as address1__problem,
        source.state as state__raw,
        case
            when {{ clean_text('source.state') }} is not null and us_states.state_code is null then 'invalid_state'
        end as state__problem,
        source.postal_code as zip__raw,
        source.created_date as created_date__raw,
        source.last_modified_date as last_modified_date__raw,
        source.last_activity_date as last_activity_date__raw,
        source.company as company__raw,
        case when facility_names.repaired is not null then 'text_repaired' end as company__problem,
        source.company as name_key__raw,
        {{ lookup_problem('source.company', 'facility_names') }} as name_key__problem

    from source
    left join phones on source.phone = phones.raw_value
    left join phones as mobile on source.mobile_phone = mobile.raw_value
    left join street_lines on source.street = street_lines.raw_value
    left join facility_names on source.company = facility_names.raw_value
    left join us_states on {{ state_spelling('source.state') }} = us_states.spelling
),

checked as (
    select
        *,
        {{ rejected_if_null('email', 'invalid_email') }},
        {{ rejected_if_null('zip', 'invalid_zip') }},
        {{ rejected_if_null('created_date', 'invalid_date') }},
        {{ rejected_if_null('last_modified_date', 'invalid_date') }},
        {{ rejected_if_null('last_activity_date', 'invalid_date') }}
    from renamed
)

select * from checked
{% endset %}

{{ raw_text_of_problems_only(staged) }}
