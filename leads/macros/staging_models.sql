{#-
    The registered sources as the models use them, from `registry()` (macros/_registry.sql, written
    from sources.yml): a new source is a sources.yml entry and its staging model, nothing here.
-#}

{#- The sources whose records become leads, in the contract's order: merged records disagreeing
    on a value, and anchors of equal age, are settled by this order. -#}
{% macro lead_sources() -%}
    {%- set ids = [] -%}
    {%- for source in registry() if source.role == 'lead' -%}{%- do ids.append(source.id) -%}{%- endfor -%}
    {{ return(ids) }}
{%- endmacro %}


{#- Every source's staging model, with the source id of its raw table: data_quality_issues reports
    their rejected values and the reconciliation test counts their rows against raw. -#}
{% macro staging_models() -%}
    {%- set models = [] -%}
    {%- for source in registry() -%}{%- do models.append((source.id, source.staging_model)) -%}{%- endfor -%}
    {{ return(models) }}
{%- endmacro %}
