{#- Every value or row the pipeline refused, with where it came from and the rule it failed. -#}
with

malformed_rows as (
    select
        source,
        file_name,
        record_number,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        'malformed_record: ' || parse_error as rule
    from (
        select source, file_name, record_number, parse_error from {{ ref('stg_source_1__facilities') }}
        union all
        select source, file_name, record_number, parse_error from {{ ref('stg_source_2__facilities') }}
        union all
        select source, file_name, record_number, parse_error from {{ ref('stg_source_3__facilities') }}
    ) as staged
    where parse_error is not null
),

unreadable_records as (
    select
        source,
        file_name,
        record_number,
        cast(null as {{ dbt.type_string() }}) as column_name,
        record_text as raw_value,
        'unreadable_record: ' || reason as rule
    from ({{ select_columns(source('raw', 'rejected_records'), [
        ('source', dbt.type_string()), ('file_name', dbt.type_string()),
        ('record_number', dbt.type_bigint()), ('reason', dbt.type_string()),
        ('record_text', dbt.type_string()),
    ]) }}) as rejected
)

select * from malformed_rows
union all
select * from unreadable_records
