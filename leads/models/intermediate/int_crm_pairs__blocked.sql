{#-
    Candidate pairs of a CRM lead and a source record: they share a phone (the CRM's phone or
    mobile) or a normalized address, and whether they also share an email. The resolve step scores
    names and applies the identity rules, as for pairs of source records. Through a hub key
    (int_match_keys__hubs) a CRM lead is paired only with the records that also share a second key
    with it (the other blocking key, an email or the facility-name key), as source records are.
-#}
with

crm as (
    select * from {{ ref('int_crm_leads__current') }}
),

crm_keys as (
    select crm.crm_index, 'phone' as key_type, crm.phone as key_value from crm
    union all
    select crm.crm_index, 'phone' as key_type, crm.mobile_phone as key_value from crm
    union all
    select crm.crm_index, 'address' as key_type, crm.address_key as key_value from crm
    union all
    select crm.crm_index, 'email' as key_type, crm.email as key_value from crm
    union all
    select crm.crm_index, 'name' as key_type, crm.name_key as key_value from crm
),

record_keys as (
    select
        collected.record_index,
        collected.key_type,
        collected.key_value
    from {{ ref('int_match_keys__collected') }} as collected
),

hubs as (
    select
        hub_keys.key_type,
        hub_keys.key_value
    from {{ ref('int_match_keys__hubs') }} as hub_keys
),

plain_pairs as (
    {#- Through a phone or address short of a hub. -#}
    select distinct
        crm_keys.crm_index,
        record_keys.record_index
    from crm_keys
    inner join record_keys
        on crm_keys.key_type = record_keys.key_type
        and crm_keys.key_value = record_keys.key_value
    left join hubs
        on crm_keys.key_type = hubs.key_type
        and crm_keys.key_value = hubs.key_value
    where crm_keys.key_type in ('phone', 'address')
        and hubs.key_value is null
),

hub_pairs as (
    {#- Through a hub: the CRM lead and the record share the hub key and a second key. -#}
    select distinct
        crm_hub_keys.crm_index,
        record_hub_keys.record_index
    from crm_keys as crm_hub_keys
    inner join hubs
        on crm_hub_keys.key_type = hubs.key_type
        and crm_hub_keys.key_value = hubs.key_value
    inner join crm_keys as crm_second_keys
        on crm_hub_keys.crm_index = crm_second_keys.crm_index
        and crm_hub_keys.key_type <> crm_second_keys.key_type
    inner join record_keys as record_second_keys
        on crm_second_keys.key_type = record_second_keys.key_type
        and crm_second_keys.key_value = record_second_keys.key_value
    inner join record_keys as record_hub_keys
        on record_second_keys.record_index = record_hub_keys.record_index
        and crm_hub_keys.key_type = record_hub_keys.key_type
        and crm_hub_keys.key_value = record_hub_keys.key_value
),

candidates as (
    select plain_pairs.crm_index, plain_pairs.record_index from plain_pairs
    union
    select hub_pairs.crm_index, hub_pairs.record_index from hub_pairs
),

shared as (
    select distinct
        candidates.crm_index,
        candidates.record_index,
        crm_keys.key_type
    from candidates
    inner join crm_keys
        on candidates.crm_index = crm_keys.crm_index
    inner join record_keys
        on candidates.record_index = record_keys.record_index
        and crm_keys.key_type = record_keys.key_type
        and crm_keys.key_value = record_keys.key_value
    where crm_keys.key_type in ('phone', 'address', 'email')
),

pairs as (
    select
        shared.crm_index,
        shared.record_index,
        max(case when shared.key_type = 'phone' then 1 else 0 end) = 1 as shares_phone,
        max(case when shared.key_type = 'address' then 1 else 0 end) = 1 as shares_address,
        max(case when shared.key_type = 'email' then 1 else 0 end) = 1 as shares_email
    from shared
    group by shared.crm_index, shared.record_index
)

select * from pairs
where shares_phone or shares_address
