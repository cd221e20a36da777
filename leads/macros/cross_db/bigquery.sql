{#- BigQuery spellings of the project's dispatched macros, where its SQL differs from the default. -#}

{#- BigQuery has no regexp_like; regexp_contains with anchors is a full match. -#}
{% macro bigquery__regex_full_match(expression, pattern) -%}
    regexp_contains({{ expression }}, '^(?:{{ pattern }})$')
{%- endmacro %}
