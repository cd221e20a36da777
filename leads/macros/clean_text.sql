{#- Trim and collapse inner whitespace (spaces, tabs, line breaks); an empty result is NULL. -#}
{% macro clean_text(expression) -%}
    {{ return(adapter.dispatch('clean_text', 'leads')(expression)) }}
{%- endmacro %}

{% macro default__clean_text(expression) -%}
    nullif(trim({{ regex_replace_all(expression, '[[:space:]]+', ' ') }}), '')
{%- endmacro %}

{#- DuckDB: most values hold no whitespace but single spaces, which the replacement would leave as
    they are; a search for anything else ([[:space:]] is these five characters and the space)
    spares them the replacement, about half the cost of cleaning a column. Same result. -#}
{% macro duckdb__clean_text(expression) -%}
    nullif(trim(case
        when regexp_matches({{ expression }}, '[\t\n\v\f\r]|  ')
            then {{ regex_replace_all(expression, '[[:space:]]+', ' ') }}
        else {{ expression }}
    end), '')
{%- endmacro %}
