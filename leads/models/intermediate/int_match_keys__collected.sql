{#-
    The values identity resolution blocks and scores on, from every version of every source record:
    phones, normalized addresses (street line + zip), emails and facility-name keys. A record keeps
    the keys of its earlier versions, so a changed phone does not undo a match it made.
-#}
with

versions as (
    select source, natural_key, phone, address_key, email, name_key
    from {{ ref('int_source_records__versioned') }}
    where change_type in ('inserted', 'updated')
),

records as (
    select record_index, source, natural_key from {{ ref('int_source_records__current') }}
),

keyed as (
    select source, natural_key, 'phone' as key_type, phone as key_value from versions
    union all
    select source, natural_key, 'address' as key_type, address_key as key_value from versions
    union all
    select source, natural_key, 'email' as key_type, email as key_value from versions
    union all
    select source, natural_key, 'name' as key_type, name_key as key_value from versions
),

collected as (
    select distinct
        records.record_index,
        cast(keyed.key_type as {{ dbt.type_string() }}) as key_type,
        keyed.key_value
    from keyed
    inner join records
        on keyed.source = records.source
        and keyed.natural_key = records.natural_key
    where keyed.key_value is not null
)

select * from collected
