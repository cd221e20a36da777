{#- Models land in <target schema>_<layer> (main_staging, main_intermediate, main_gold), the same
    on every engine, which is dbt's default naming made explicit. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- else -%}{{ target.schema }}_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
