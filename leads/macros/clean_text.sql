{#- Trim and collapse inner whitespace (spaces, tabs, line breaks); an empty result is NULL. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ regex_replace_all(expression, '[[:space:]]+', ' ') }}), '')
{%- endmacro %}
