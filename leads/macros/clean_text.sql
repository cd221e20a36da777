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


{#- True when `expression` holds something besides whitespace: `clean_text(expression) is not null`,
    which a check of a rejected value asks, without building the cleaned text. -#}
{% macro has_text(expression) -%}
    {{ return(adapter.dispatch('has_text', 'leads')(expression)) }}
{%- endmacro %}

{% macro default__has_text(expression) -%}
    ({{ clean_text(expression) }} is not null)
{%- endmacro %}

{#- DuckDB: clean_text leaves nothing exactly when every character is one the whitespace pattern
    replaces (tab, line feed, vertical tab, form feed, carriage return) or one DuckDB's trim()
    removes (the space and Unicode's other space separators, no-break space included): trimming
    all of them from both ends then leaves an empty string. -#}
{% macro duckdb__has_text(expression) -%}
    {%- set blank = [9, 10, 11, 12, 13, 32, 160, 5760] + range(8192, 8203) | list + [8239, 8287, 12288] -%}
    ({{ expression }} is not null and trim({{ expression }}, {% for code in blank %}chr({{ code }}){{ ' || ' if not loop.last }}{% endfor %}) <> '')
{%- endmacro %}
