{#-
    Candidate pairs of a CRM lead and a source record: they share a phone (the CRM's phone or
    mobile) or a normalized address, and whether they also share an email. The resolve step scores
    names and applies the identity rules, as for pairs of source records.
-#}
with

crm as (
    select * from {{ ref('int_crm_leads__current') }}
),

crm_keys as (
    select crm_index, 'phone' as key_type, phone as key_value from crm
    union all
    select crm_index, 'phone' as key_type, mobile_phone as key_value from crm
    union all
    select crm_index, 'address' as key_type, address_key as key_value from crm
    union all
    select crm_index, 'email' as key_type, email as key_value from crm
),

record_keys as (
    select * from {{ ref('int_match_keys__collected') }}
    where key_type in ('phone', 'address', 'email')
),

shared as (
    select distinct
        crm_keys.crm_index,
        record_keys.record_index,
        crm_keys.key_type
    from crm_keys
    inner join record_keys
        on crm_keys.key_type = record_keys.key_type
        and crm_keys.key_value = record_keys.key_value
),

pairs as (
    select
        crm_index,
        record_index,
        max(case when key_type = 'phone' then 1 else 0 end) = 1 as shares_phone,
        max(case when key_type = 'address' then 1 else 0 end) = 1 as shares_address,
        max(case when key_type = 'email' then 1 else 0 end) = 1 as shares_email
    from shared
    group by crm_index, record_index
)

select * from pairs
where shares_phone or shares_address
