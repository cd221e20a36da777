{#-
    Candidate pairs of source records for identity resolution: records that share a phone or a
    normalized address (the blocking keys; never all pairs), and whether they also share an email.
    Names are scored and the rules applied by the resolve step (leads_pipeline.identity).
-#}
with

match_keys as (
    select * from {{ ref('int_match_keys__collected') }}
    where key_type in ('phone', 'address', 'email')
),

shared as (
    select
        left_keys.record_index as left_index,
        right_keys.record_index as right_index,
        left_keys.key_type
    from match_keys as left_keys
    inner join match_keys as right_keys
        on left_keys.key_type = right_keys.key_type
        and left_keys.key_value = right_keys.key_value
        and left_keys.record_index < right_keys.record_index
),

pairs as (
    select
        left_index,
        right_index,
        max(case when key_type = 'phone' then 1 else 0 end) = 1 as shares_phone,
        max(case when key_type = 'address' then 1 else 0 end) = 1 as shares_address,
        max(case when key_type = 'email' then 1 else 0 end) = 1 as shares_email
    from shared
    group by left_index, right_index
)

select * from pairs
where shares_phone or shares_address
