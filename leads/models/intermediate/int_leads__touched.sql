{#-
    The leads whose row in `leads` a run writes again: those whose fingerprint (macros/
    lead_fingerprints.sql: members, their content, their order, the CRM match) differs from the one
    `leads` remembers writing, with the new fingerprint, and those `leads` holds that no record
    belongs to any more, with none. Every lead when `leads` remembers nothing or is built whole
    (its first build, a full refresh, a dropped table, or on Spark): int_leads__merged and `leads`
    compute only the leads listed here.
-#}
{%- set written = written_fingerprints(this) -%}
{%- set compares = compares_lead_fingerprints(written) -%}

with

{% if target.type == 'spark' -%}
{#- `leads` is rebuilt whole on Spark and keeps no fingerprints: every lead, none computed. -#}
touched as (
    select distinct
        clustered.lead_id,
        cast(null as {{ dbt.type_string() }}) as fingerprint
    from {{ ref('int_source_records__clustered') }} as clustered
)
{%- else -%}
fingerprints as (
    {{ lead_fingerprints() }}
),

{% if compares -%}
written as (
    select lead_id, fingerprint from {{ written }}
),

touched as (
    select
        coalesce(fingerprints.lead_id, written.lead_id) as lead_id,
        fingerprints.fingerprint
    from fingerprints
    full outer join written on fingerprints.lead_id = written.lead_id
    where fingerprints.fingerprint is null
        or written.fingerprint is null
        or fingerprints.fingerprint <> written.fingerprint
)
{%- else -%}
touched as (
    select lead_id, fingerprint from fingerprints
)
{%- endif %}
{%- endif %}

select * from touched
