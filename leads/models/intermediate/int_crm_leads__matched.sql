{#-
    The CRM lead each lead matches, as the resolve step found it (same identity rules as between
    source records; deleted CRM leads never match), with the CRM's status and dates. No resolve
    yet means no match.
-#}
with

matches as (
    {{ select_columns(source('identity', 'crm_matches'), [
        ('lead_id', dbt.type_string()),
        ('salesforce_lead_id', dbt.type_string()),
        ('match_rule', dbt.type_string()),
    ]) }}
),

crm as (
    select * from {{ ref('int_crm_leads__current') }}
),

matched as (
    select
        ---------- ids
        matches.lead_id,
        crm.salesforce_lead_id,

        ---------- the CRM lead
        crm.status as salesforce_status,
        crm.created_date as salesforce_created_date,
        crm.last_activity_date as salesforce_last_activity_date,
        crm.is_converted as salesforce_is_converted,
        matches.match_rule as crm_match_rule

    from matches
    inner join crm on matches.salesforce_lead_id = crm.salesforce_lead_id
)

select * from matched
