{#- Spark's plain Parquet tables have no delete: there the model is rebuilt in full. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=before_begin("{{ drop_outdated_keys() }}"),
) }}

{#-
    The values identity resolution blocks and scores on, from every version of every source record:
    phones, normalized addresses (street line + zip), emails and facility-name keys. A record keeps
    the keys of its earlier versions, so a changed phone does not undo a match it made.

    Incremental: a run collects again the keys of the records the current records rewrote since
    the keys were last collected (their `versioned_at` is newer) and appends them; the pre-hook
    drops those records' keys and the keys of records that are gone.
-#}
with

records as (
    select record_index, source, natural_key, versioned_at
    from {{ ref('int_source_records__current') }}
    {% if is_incremental() -%}
    where {{ stamped_after_last_read('versioned_at', this) }}
    {% endif -%}
),

versions as (
    select
        records.record_index,
        records.versioned_at,
        versioned.phone,
        versioned.address_key,
        versioned.email,
        versioned.name_key
    from {{ ref('int_source_records__versioned') }} as versioned
    inner join records
        on versioned.source = records.source
        and versioned.natural_key = records.natural_key
    where versioned.change_type in ('inserted', 'updated')
),

keyed as (
    select record_index, versioned_at, 'phone' as key_type, phone as key_value from versions
    union all
    select record_index, versioned_at, 'address' as key_type, address_key as key_value from versions
    union all
    select record_index, versioned_at, 'email' as key_type, email as key_value from versions
    union all
    select record_index, versioned_at, 'name' as key_type, name_key as key_value from versions
),

collected as (
    select distinct
        record_index,
        cast(key_type as {{ dbt.type_string() }}) as key_type,
        key_value,
        versioned_at
    from keyed
    where key_value is not null
)

select * from collected
