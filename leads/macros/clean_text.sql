{#- Trim and collapse inner whitespace; an empty result is NULL. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ regexp_replace_all(expression, "'\\s+'", "' '") }}), '')
{%- endmacro %}
