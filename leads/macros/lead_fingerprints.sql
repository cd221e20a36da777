{#-
    What a lead's row in `leads` is made of, as one fingerprint per lead: its members (record,
    content hash, first seen, active, their recency order and the lead's match rule) and its CRM
    match. `leads` writes again only the leads whose fingerprint changed (int_leads__touched).
    `last_seen_date` is left out: a new snapshot moves it for every active record, so `leads`
    moves it in one narrow update instead.
-#}
{% macro lead_fingerprints() -%}
    with

    member_lists as (
        {#- A lead of one record (most) is that record's member text, with no aggregate. The
            members of the others are summed as numbers from their hashes (two sums of 60 bits
            each, and their count): fixed-size aggregate states, which spill, where a sorted list
            of every member's text would be held in memory whole (at 10 M records per source, over
            the default memory limit). A member's text holds its place in the lead's order. -#}
        {{ lead_members('= 1', 'members') }}

        union all

        select
            merged_members.lead_id,
            {{ dbt.concat([
                "cast(count(*) as " ~ dbt.type_string() ~ ")", "'|'",
                "cast(sum(" ~ hash_number('merged_members.member', 1) ~ ") as " ~ dbt.type_string() ~ ")", "'|'",
                "cast(sum(" ~ hash_number('merged_members.member', 16) ~ ") as " ~ dbt.type_string() ~ ")",
            ]) }} as members
        from ({{ lead_members('> 1', 'member') }}) as merged_members
        group by merged_members.lead_id
    )

    select
        member_lists.lead_id,
        {{ dbt.hash(dbt.concat([
            "member_lists.members", "'|'",
            "coalesce(crm.salesforce_lead_id, '')", "'|'",
            "coalesce(crm.salesforce_status, '')", "'|'",
            "coalesce(cast(crm.salesforce_created_date as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(crm.salesforce_last_activity_date as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(crm.salesforce_is_converted as " ~ dbt.type_string() ~ "), '')",
        ])) }} as fingerprint
    from member_lists
    left join {{ ref('int_crm_leads__matched') }} as crm
        on member_lists.lead_id = crm.lead_id
{%- endmacro %}


{#- Each member of the leads whose size meets `size_condition` (`= 1`, `> 1`), with its part of its
    lead's fingerprint as `alias`. -#}
{% macro lead_members(size_condition, alias) -%}
    select
        clustered.lead_id,
        {{ lead_member('clustered', 'records') }} as {{ alias }}
    from {{ ref('int_source_records__clustered') }} as clustered
    inner join {{ ref('int_source_records__current') }} as records
        on clustered.record_index = records.record_index
    where clustered.member_count {{ size_condition }}
{%- endmacro %}


{#- One member's part of its lead's fingerprint: the record, its content hash, first sighting and
    activity, its place in the lead's order and the lead's match rule. -#}
{% macro lead_member(clustered, records) -%}
    {{ dbt.concat([
        "cast(" ~ clustered ~ ".record_index as " ~ dbt.type_string() ~ ")", "'|'",
        records ~ ".row_hash", "'|'",
        "cast(" ~ records ~ ".first_seen_date as " ~ dbt.type_string() ~ ")", "'|'",
        "case when " ~ records ~ ".is_active then 'active' else 'inactive' end", "'|'",
        "cast(" ~ clustered ~ ".member_recency as " ~ dbt.type_string() ~ ")", "'|'",
        "coalesce(" ~ clustered ~ ".match_rule, '')",
    ]) }}
{%- endmacro %}


{#- Where `leads` keeps the fingerprints of the rows it holds: beside int_leads__touched
    (`touched`, that model's relation), written by the hooks of `leads` only. -#}
{% macro written_fingerprints(touched) -%}
    {{ return(touched.incorporate(path={'identifier': 'int_leads__written'})) }}
{%- endmacro %}


{#- Whether int_leads__touched compares fingerprints, and so lists only the changed leads: `leads`
    exists and remembers its fingerprints (`written`), outside a full refresh. Otherwise it lists
    every lead. The same before and after int_leads__touched is built in a run: only the hooks of
    `leads` change what it reads. -#}
{% macro compares_lead_fingerprints(written) -%}
    {{ return(keeps_state_tables() and not flags.FULL_REFRESH
        and relation_exists(written) and leads_relation() is not none) }}
{%- endmacro %}


{#- `column` names a lead int_leads__touched lists; no filter when it lists every lead. -#}
{% macro among_touched_leads(column) -%}
    {%- set touched = ref('int_leads__touched') -%}
    {%- if compares_lead_fingerprints(written_fingerprints(touched)) -%}
    {{ column }} in (select touched.lead_id from {{ touched }} as touched)
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}


{#- The relation of `leads`, or none before its first build. -#}
{% macro leads_relation() -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'leads' -%}
        {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- Pre-hook of `leads`: the rows of the touched leads go (those of a lead gone for good too);
    the model writes the touched leads that exist. Without remembered fingerprints every lead is
    touched, and every row goes, those of leads gone since included. -#}
{% macro drop_touched_leads() -%}
    {%- if is_incremental() -%}
    {%- set touched = ref('int_leads__touched') -%}
    delete from {{ this }}
    {%- if relation_exists(written_fingerprints(touched)) %}
    where lead_id in (select touched.lead_id from {{ touched }} as touched)
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Post-hook of `leads`: remember the fingerprints of the rows it now holds (all of them after a
    whole build, when int_leads__touched lists every lead; the touched ones' otherwise). -#}
{% macro remember_written_leads() -%}
    {%- if keeps_state_tables() -%}
    {%- set touched = ref('int_leads__touched') -%}
    {%- set written = written_fingerprints(touched) -%}
    {%- if is_incremental() and relation_exists(written) -%}
    delete from {{ written }}
    where lead_id in (select touched.lead_id from {{ touched }} as touched);
    {%- else -%}
    {#- A whole build: int_leads__touched lists every lead then. #}
    drop table if exists {{ written }};
    create table {{ written }} (lead_id {{ dbt.type_string() }}, fingerprint {{ dbt.type_string() }});
    {%- endif %}
    insert into {{ written }} (lead_id, fingerprint)
    select lead_id, fingerprint from {{ touched }}
    where fingerprint is not null
    {%- endif -%}
{%- endmacro %}


{#- Post-hook of `leads`: a lead was last seen when its member seen last was; a new snapshot moves
    that for every active lead, in one narrow update of the rows whose date moved. -#}
{% macro move_leads_last_seen_dates() -%}
    {%- if is_incremental() -%}
    update {{ this }} as leads
    set last_seen_date = seen.last_seen_date
    from (
        select clustered.lead_id, max(records.last_seen_date) as last_seen_date
        from {{ ref('int_source_records__clustered') }} as clustered
        inner join {{ ref('int_source_records__current') }} as records
            on clustered.record_index = records.record_index
        group by clustered.lead_id
    ) as seen
    where leads.lead_id = seen.lead_id
        and leads.last_seen_date <> seen.last_seen_date
    {%- endif -%}
{%- endmacro %}
