{#- Oklahoma Human Services (OK): one row per raw record, typed and normalized. -#}
{#- The file's day columns and the day each stands for, in the schedule's order. -#}
{%- set schedule_days = [
    ('mon', 'Mon'), ('tues', 'Tue'), ('wed', 'Wed'), ('thurs', 'Thu'), ('friday', 'Fri'),
    ('saturday', 'Sat'), ('sunday', 'Sun'),
] -%}
{% set staged %}
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

phones as (
    {{ lookup_source('phones', among='phone') }}
),

street_lines as (
    {{ lookup_source('street_lines', among='address1') }}
),

caregivers as (
    {{ lookup_source('caregivers', among='primary_caregiver') }}
),

licensees as (
    {{ lookup_source('licensees', among='company') }}
),

facility_names as (
    {{ lookup_source('facility_names', among='company') }}
),

facility_types as (
    select * from {{ ref('facility_types') }}
    where source = 'source_2'
),

us_states as (
    select * from {{ ref('us_states') }}
),

prepared as (
    {#-
        `Type License` is `<license type> - <license number>` (`CHILD CARE FAMILY - K820055232`);
        the license number, the natural key, is cut out by the key rule in sources.yml.
        The day columns hold each day's hours; `Ages Accepted 1` and `AA2`..`AA4` one age group
        label each. `School Year Only` and `Evening Hours` are not read: in the agency's export
        their values are shifted (they hold the subsidy, year-round and daytime flags and
        age-group labels that other columns already carry), so nothing in them is reliable.
    -#}
    select
        source.*,
        {{ clean_text('source.type_license') }} as license_text,

        ---------- opening hours per day
        {{ opening_hours('source.mon') }} as mon_hours,
        {{ opening_hours('source.tues') }} as tue_hours,
        {{ opening_hours('source.wed') }} as wed_hours,
        {{ opening_hours('source.thurs') }} as thu_hours,
        {{ opening_hours('source.friday') }} as fri_hours,
        {{ opening_hours('source.saturday') }} as sat_hours,
        {{ opening_hours('source.sunday') }} as sun_hours,

        ---------- age groups
        {{ age_group('source.ages_accepted_1') }} as age_group_1,
        {{ age_group('source.aa2') }} as age_group_2,
        {{ age_group('source.aa3') }} as age_group_3,
        {{ age_group('source.aa4') }} as age_group_4
    from source
),

split as (
    select
        *,
        {#- the source's key rule (sources.yml), which the ingestion applies too -#}
        {{ natural_key('source_2', 'type_license') }} as license_number,
        case
            when {{ regex_full_match('license_text', '.* - [^ ]+') }}
                then {{ regex_replace_all('license_text', ' - [^ ]+$', '') }}
        end as license_type
    from prepared
),

renamed as (
    select
        ---------- ids
        'source_2' as source,
        split.license_number as natural_key,

        ---------- license
        split.license_number,
        split.license_type,
        {{ parse_date(
            "replace(lower(" ~ clean_text('split.license_monitoring_since') ~ "), 'monitoring since', '')",
            'split._snapshot_date',
        ) }} as license_issued,
        coalesce(facility_types.facility_type, 'other') as facility_type,

        ---------- facility: `Company` is `<licensee> DBA <business>` or one name for both
        licensees.company,
        licensees.licensee_name,
        phones.e164 as phone,
        phones.extension as phone_extension,
        {{ email_address('split.email') }} as email,
        {{ positive_integer('split.total_cap') }} as capacity,
        case
            when {{ yes_no('split.accepts_subsidy', extra_yes=['Accepts Subsidy']) }} then 'Yes'
            when {{ clean_text('split.accepts_subsidy') }} is null
                or not {{ yes_no('split.accepts_subsidy', extra_yes=['Accepts Subsidy']) }} then 'No'
        end as accepts_financial_aid,

        ---------- address: as given; a unit is split off Address1 only when Address2 is empty
        case
            when {{ clean_text('split.address2') }} is null then street_lines.address1
            else {{ clean_text('split.address1') }}
        end as address1,
        coalesce({{ clean_text('split.address2') }}, street_lines.address2) as address2,
        upper({{ clean_text('split.city') }}) as city,
        coalesce(us_states.state_code, 'OK') as state,
        {{ zip5('split.zip') }} as zip,

        ---------- contact: the caregiver cell's name line and role line
        caregivers.first_name,
        caregivers.last_name,
        caregivers.title,

        ---------- schedule and ages
        {{ schedule([
            ('Mon', 'split.mon_hours'), ('Tue', 'split.tue_hours'), ('Wed', 'split.wed_hours'),
            ('Thu', 'split.thu_hours'), ('Fri', 'split.fri_hours'), ('Sat', 'split.sat_hours'),
            ('Sun', 'split.sun_hours'),
        ]) }} as schedule,
        {%- set groups = 'split.age_group_1, split.age_group_2, split.age_group_3, split.age_group_4' %}
        {{ age_columns({
            'Infants': "'Infants' in (" ~ groups ~ ")",
            'Toddlers': "'Toddlers' in (" ~ groups ~ ")",
            'Preschool': "'Preschool' in (" ~ groups ~ ")",
            'School-age': "'School-age' in (" ~ groups ~ ")",
        }) }},

        ---------- match keys
        street_lines.street_key || ' ' || {{ zip5('split.zip') }} as address_key,
        street_lines.street_number,
        facility_names.name_key,

        ---------- lineage
        split._snapshot_date as snapshot_date,
        split._file_name as file_name,
        split._record_number as record_number,
        split._dlt_load_id as load_id,
        split._parse_error as parse_error,

        ---------- checked values: raw text (<column>__raw) and, for lookups, the problem
        split.type_license as license_number__raw,
        case when split.license_number is null then 'missing_license_number' end as license_number__problem,
        split.license_monitoring_since as license_issued__raw,
        split.type_license as facility_type__raw,
        case
            when split.license_type is not null
                and facility_types.facility_type is null then 'unmapped_license_type'
        end as facility_type__problem,
        split.company as licensee_name__raw,
        {{ lookup_problem('split.company', 'licensees') }} as licensee_name__problem,
        split.phone as phone__raw,
        {{ lookup_problem('split.phone', 'phones') }} as phone__problem,
        split.email as email__raw,
        split.total_cap as capacity__raw,
        split.accepts_subsidy as accepts_financial_aid__raw,
        split.address1 as address1__raw,
        case
            when {{ clean_text('split.address2') }} is null then {{ lookup_problem('split.address1', 'street_lines') }}
        end as address1__problem,
        split.state as state__raw,
        case
            when {{ clean_text('split.state') }} is not null and us_states.state_code is null then 'invalid_state'
        end as state__problem,
        split.zip as zip__raw,
        split.primary_caregiver as first_name__raw,
        {{ lookup_problem('split.primary_caregiver', 'caregivers') }} as first_name__problem,
        case
            {%- for column, day in schedule_days %}
            when {{ clean_text('split.' ~ column) }} is not null and split.{{ day | lower }}_hours is null
                then '{{ day }}: ' || {{ clean_text('split.' ~ column) }}
            {%- endfor %}
        end as schedule__raw,
        case
            {%- for column, day in schedule_days %}
            when {{ clean_text('split.' ~ column) }} is not null and split.{{ day | lower }}_hours is null
                then {{ hours_problem('split.' ~ column) }}
            {%- endfor %}
        end as schedule__problem,
        case
            {%- for number, column in [(1, 'ages_accepted_1'), (2, 'aa2'), (3, 'aa3'), (4, 'aa4')] %}
            when {{ clean_text('split.' ~ column) }} is not null and split.age_group_{{ number }} is null
                then {{ clean_text('split.' ~ column) }}
            {%- endfor %}
        end as ages_served__raw,
        split.company as company__raw,
        case when facility_names.repaired is not null then 'text_repaired' end as company__problem,
        split.company as name_key__raw,
        {{ lookup_problem('split.company', 'facility_names') }} as name_key__problem

    from split
    left join phones on split.phone = phones.raw_value
    left join street_lines on split.address1 = street_lines.raw_value
    left join caregivers on split.primary_caregiver = caregivers.raw_value
    left join licensees on split.company = licensees.raw_value
    left join facility_names on split.company = facility_names.raw_value
    left join facility_types on upper(split.license_type) = facility_types.license_type
    left join us_states on {{ state_spelling('split.state') }} = us_states.spelling
),

checked as (
    select
        *,
        {{ rejected_if_null('license_issued', 'invalid_date') }},
        {{ rejected_if_null('email', 'invalid_email') }},
        {{ rejected_if_null('capacity', 'invalid_capacity') }},
        {{ rejected_if_null('accepts_financial_aid', 'invalid_flag') }},
        {{ rejected_if_null('zip', 'invalid_zip') }},
        case when ages_served__raw is not null then 'unknown_age_group' end as ages_served__problem
    from renamed
)

select * from checked
{% endset %}

{{ raw_text_of_problems_only(staged) }}
