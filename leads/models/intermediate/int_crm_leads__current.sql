{#-
    The CRM's leads as its latest export lists them, deleted ones left out: what leads are matched
    against. Each export is a full snapshot of the CRM.
-#}
{#- The latest export's date, looked up from the ledger when the model runs (empty string: no
    export with records), so the scan of the CRM's staging reads that export's rows only, not
    every export staged so far. -#}
{%- set latest_export_date = none -%}
{%- set files = ref('int_source_files__loaded') -%}
{%- if execute and model.resource_type != 'unit_test' and relation_exists(files) -%}
    {%- set found = run_query(
        "select max(snapshot_date) from " ~ files
        ~ " where is_current and source = 'salesforce' and rows_loaded > 0"
    ) -%}
    {%- set latest_export_date = (found.columns[0].values()[0] or '') | string -%}
{%- endif %}
with

crm as (
    {{ select_columns(ref('stg_salesforce__leads'), [
        ('salesforce_lead_id', dbt.type_string()),
        ('company', dbt.type_string()),
        ('status', dbt.type_string()),
        ('is_deleted', dbt.type_boolean()),
        ('is_converted', dbt.type_boolean()),
        ('created_date', 'date'),
        ('last_activity_date', 'date'),
        ('phone', dbt.type_string()),
        ('mobile_phone', dbt.type_string()),
        ('email', dbt.type_string()),
        ('zip', dbt.type_string()),
        ('address_key', dbt.type_string()),
        ('street_number', dbt.type_string()),
        ('name_key', dbt.type_string()),
        ('snapshot_date', 'date'),
        ('file_name', dbt.type_string()),
        ('record_number', dbt.type_bigint()),
        ('load_id', dbt.type_string()),
    ]) }}
),

current_files as (
    {#- An export delivered again under its path replaces its earlier version. -#}
    select file_name, load_id
    from {{ ref('int_source_files__loaded') }}
    where is_current and source = 'salesforce'
),

current_crm as (
    select crm.*
    from crm
    inner join current_files
        on crm.file_name = current_files.file_name
        and crm.load_id = current_files.load_id
    {%- if latest_export_date is not none %}
    where {{ snapshot_date_among('crm.snapshot_date', [latest_export_date] if latest_export_date else []) }}
    {%- endif %}
),

latest_export as (
    {%- if latest_export_date is not none %}
    select cast({{ "'" ~ latest_export_date ~ "'" if latest_export_date else 'null' }} as date) as snapshot_date
    {%- else %}
    {#- Read on its own, narrow: a CTE read twice would be materialized whole, every export's rows. -#}
    select max(crm.snapshot_date) as snapshot_date
    from {{ ref('stg_salesforce__leads') }} as crm
    inner join current_files
        on crm.file_name = current_files.file_name
        and crm.load_id = current_files.load_id
    {%- endif %}
),

exported as (
    select
        current_crm.*,
        row_number() over (
            partition by current_crm.salesforce_lead_id order by current_crm.record_number desc
        ) as id_rank
    from current_crm
    inner join latest_export on current_crm.snapshot_date = latest_export.snapshot_date
    where current_crm.salesforce_lead_id is not null
),

current_leads as (
    select
        ---------- ids
        row_number() over (order by salesforce_lead_id) as crm_index,
        salesforce_lead_id,

        ---------- lead
        company,
        status,
        is_converted,
        created_date,
        last_activity_date,

        ---------- match keys
        phone,
        mobile_phone,
        email,
        zip,
        address_key,
        street_number,
        name_key,

        ---------- lineage
        snapshot_date,
        file_name

    from exported
    where id_rank = 1
        and not coalesce(is_deleted, false)
)

select * from current_leads
