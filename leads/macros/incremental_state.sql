{#- Helpers of the incremental models that keep state beside them or gained a column. -#}


{#- Whether a model keeps a bookkeeping table beside it (what it wrote, what it reported): not on
    Spark, where such models are rebuilt whole, nor in a unit test, nor while dbt parses. -#}
{% macro keeps_state_tables() -%}
    {{ return(execute and model.resource_type != 'unit_test' and target.type != 'spark') }}
{%- endmacro %}


{#- Pre-hook: a table an earlier version built without `column` gets it here, in the hook's
    transaction (dbt's own ALTER for a new column would conflict with a later hook's delete). -#}
{% macro add_column_if_missing(column, data_type) -%}
    {%- if is_incremental() -%}
    alter table {{ this }} add column if not exists {{ column }} {{ data_type }}
    {%- endif -%}
{%- endmacro %}
