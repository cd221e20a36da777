{#-
    Every source's staging model, with the source id of its raw table. data_quality_issues reports
    their rejected values and the reconciliation test counts their rows against raw: a new source's
    staging model is added here.
-#}
{% macro staging_models() -%}
    {{ return([
        ('source_1', 'stg_source_1__facilities'),
        ('source_2', 'stg_source_2__facilities'),
        ('source_3', 'stg_source_3__facilities'),
        ('salesforce', 'stg_salesforce__leads'),
    ]) }}
{%- endmacro %}
