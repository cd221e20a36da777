{#-
    Candidate pairs of source records for identity resolution: records that share a phone or a
    normalized address (the blocking keys; never all pairs), and whether they share each of phone,
    address and email. Names are scored and the rules applied by the resolve step.

    A block pairs all its records only up to `max_block_size()`. A larger one (a hub:
    int_match_keys__hubs) pairs its records only through a second key they share: the other
    blocking key, an email, or the same facility-name key; where that sub-block is itself larger,
    each member is paired with its first member only, since equal keys need no comparison of each
    pair. Similar (not equal) names inside a hub are not compared. Candidates grow with the records,
    not with the square of a hub's size.
-#}
with

match_keys as (
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

shared_blocks as (
    {#- Blocking keys of more than one record: most phones and addresses are one record's, and
        leaving them out keeps the self-join below to the records it can pair. -#}
    select
        match_keys.key_type,
        match_keys.key_value
    from match_keys
    where match_keys.key_type in ('phone', 'address')
    group by match_keys.key_type, match_keys.key_value
    having count(*) > 1
),

plain_blocks as (
    {#- Blocking keys short of a hub: all their records are paired. -#}
    select
        match_keys.record_index,
        match_keys.key_type,
        match_keys.key_value
    from match_keys
    inner join shared_blocks
        on match_keys.key_type = shared_blocks.key_type
        and match_keys.key_value = shared_blocks.key_value
    left join hubs
        on match_keys.key_type = hubs.key_type
        and match_keys.key_value = hubs.key_value
    where match_keys.key_type in ('phone', 'address')
        and hubs.key_value is null
),

plain_pairs as (
    select
        left_keys.record_index as left_index,
        right_keys.record_index as right_index
    from plain_blocks as left_keys
    inner join plain_blocks as right_keys
        on left_keys.key_type = right_keys.key_type
        and left_keys.key_value = right_keys.key_value
        and left_keys.record_index < right_keys.record_index
),

sub_blocks as (
    {#- A hub's members, keyed by a second key each of them has. -#}
    select
        hub_members.record_index,
        hub_members.key_type as hub_type,
        hub_members.key_value as hub_value,
        second_keys.key_type as sub_type,
        second_keys.key_value as sub_value
    from match_keys as hub_members
    inner join hubs
        on hub_members.key_type = hubs.key_type
        and hub_members.key_value = hubs.key_value
    inner join match_keys as second_keys
        on hub_members.record_index = second_keys.record_index
        and hub_members.key_type <> second_keys.key_type
),

sized_sub_blocks as (
    select
        sub_blocks.record_index,
        sub_blocks.hub_type,
        sub_blocks.hub_value,
        sub_blocks.sub_type,
        sub_blocks.sub_value,
        count(*) over (
            partition by sub_blocks.hub_type, sub_blocks.hub_value, sub_blocks.sub_type, sub_blocks.sub_value
        ) as members,
        min(sub_blocks.record_index) over (
            partition by sub_blocks.hub_type, sub_blocks.hub_value, sub_blocks.sub_type, sub_blocks.sub_value
        ) as first_member
    from sub_blocks
),

hub_pairs as (
    select
        left_members.record_index as left_index,
        right_members.record_index as right_index
    from sized_sub_blocks as left_members
    inner join sized_sub_blocks as right_members
        on left_members.hub_type = right_members.hub_type
        and left_members.hub_value = right_members.hub_value
        and left_members.sub_type = right_members.sub_type
        and left_members.sub_value = right_members.sub_value
        and left_members.record_index < right_members.record_index
    where left_members.members <= {{ max_block_size() }}

    union all

    select
        sized_sub_blocks.first_member as left_index,
        sized_sub_blocks.record_index as right_index
    from sized_sub_blocks
    where sized_sub_blocks.members > {{ max_block_size() }}
        and sized_sub_blocks.record_index <> sized_sub_blocks.first_member
),

candidates as (
    select distinct
        found.left_index,
        found.right_index
    from (
        select plain_pairs.left_index, plain_pairs.right_index from plain_pairs
        union all
        select hub_pairs.left_index, hub_pairs.right_index from hub_pairs
    ) as found
),

paired_records as (
    select candidates.left_index as record_index from candidates
    union
    select candidates.right_index as record_index from candidates
),

paired_keys as (
    {#- The comparable keys of the records in a candidate pair only: the joins below then hold a
        fraction of all records' keys. -#}
    select
        match_keys.record_index,
        match_keys.key_type,
        match_keys.key_value
    from match_keys
    inner join paired_records
        on match_keys.record_index = paired_records.record_index
    where match_keys.key_type in ('phone', 'address', 'email')
),

shared as (
    {#- Which keys each candidate pair shares. -#}
    select
        candidates.left_index,
        candidates.right_index,
        left_keys.key_type
    from candidates
    inner join paired_keys as left_keys
        on candidates.left_index = left_keys.record_index
    inner join paired_keys as right_keys
        on candidates.right_index = right_keys.record_index
        and left_keys.key_type = right_keys.key_type
        and left_keys.key_value = right_keys.key_value
),

pairs as (
    select
        shared.left_index,
        shared.right_index,
        max(case when shared.key_type = 'phone' then 1 else 0 end) = 1 as shares_phone,
        max(case when shared.key_type = 'address' then 1 else 0 end) = 1 as shares_address,
        max(case when shared.key_type = 'email' then 1 else 0 end) = 1 as shares_email
    from shared
    group by shared.left_index, shared.right_index
)

select * from pairs
where shares_phone or shares_address
