{#- Every snapshot's records of every lead source, in one shape. -#}
with

unioned as (
    {{ union_records(['stg_source_1__facilities', 'stg_source_2__facilities', 'stg_source_3__facilities']) }}
)

select * from unioned
