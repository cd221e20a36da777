{#-
    The one shape every lead source's records take in the intermediate layer: lineage, then the
    contract's facility columns (data-contract.md, main_gold.leads) that a single record can fill,
    then the match keys identity resolution compares:
      address_key    normalized street line and five-digit zip (`8889 S EASTERN AVE 89123`)
      street_number  the street line's house number, no leading zeros (`8889`)
      name_key       facility-name comparison key (`little sprout daycare`)
    The models that carry records (int_source_records__unioned, __versioned, __history, __current,
    int_leads__merged, leads) name these columns in this order: a column added here is added there.
-#}
{% macro record_columns() -%}
    {{ return([
        ('source', dbt.type_string()),
        ('natural_key', dbt.type_string()),
        ('snapshot_date', 'date'),
        ('file_name', dbt.type_string()),
        ('record_number', dbt.type_bigint()),
        ('load_id', dbt.type_string()),
        ('accepts_financial_aid', dbt.type_string()),
        ('ages_served', dbt.type_string()),
        ('capacity', dbt.type_int()),
        ('certificate_expiration_date', 'date'),
        ('city', dbt.type_string()),
        ('address1', dbt.type_string()),
        ('address2', dbt.type_string()),
        ('company', dbt.type_string()),
        ('phone', dbt.type_string()),
        ('phone_extension', dbt.type_string()),
        ('county', dbt.type_string()),
        ('curriculum_type', dbt.type_string()),
        ('email', dbt.type_string()),
        ('first_name', dbt.type_string()),
        ('last_name', dbt.type_string()),
        ('language', dbt.type_string()),
        ('license_status', dbt.type_string()),
        ('license_issued', 'date'),
        ('license_number', dbt.type_string()),
        ('license_renewed', 'date'),
        ('license_type', dbt.type_string()),
        ('licensee_name', dbt.type_string()),
        ('min_age', dbt.type_int()),
        ('max_age', dbt.type_int()),
        ('operator', dbt.type_string()),
        ('provider_id', dbt.type_string()),
        ('schedule', dbt.type_string()),
        ('state', dbt.type_string()),
        ('title', dbt.type_string()),
        ('website_address', dbt.type_string()),
        ('zip', dbt.type_string()),
        ('facility_type', dbt.type_string()),
        ('address_key', dbt.type_string()),
        ('street_number', dbt.type_string()),
        ('name_key', dbt.type_string()),
    ]) }}
{%- endmacro %}


{#- The record shape's match keys: compared by identity resolution, not part of the contract. -#}
{% macro match_key_columns() -%}
    {{ return(['address_key', 'street_number', 'name_key']) }}
{%- endmacro %}
