{#- Five-digit zip from `89123`, `89123-1234` or `891231234`, leading zeros kept; else NULL. -#}
{% macro zip5(expression) -%}
    {%- set text = clean_text(expression) -%}
    case when {{ regex_full_match(text, '[0-9]{5}(-?[0-9]{4})?') }} then substr({{ text }}, 1, 5) end
{%- endmacro %}


{#- The text a state is looked up by in the `us_states` seed (`NV`, `NEVADA`, `New York`). -#}
{% macro state_spelling(expression) -%}
    upper({{ clean_text(expression) }})
{%- endmacro %}
