{#-
    The CRM's leads as its latest export lists them, deleted ones left out: what leads are matched
    against. Each export is a full snapshot of the CRM.
-#}
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
),

latest_export as (
    {#- From the ledger, one narrow row: DuckDB pushes the join on it down into the scan of the
        CRM's staging, which then reads the latest export's rows only, not every export's. -#}
    select max(snapshot_date) as snapshot_date
    from {{ ref('int_source_files__loaded') }}
    where is_current and source = 'salesforce' and rows_loaded > 0
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
