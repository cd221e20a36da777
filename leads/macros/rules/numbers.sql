{#-
    A positive whole number written as digits (`82`, ` 12 `, `12.0`); NULL for anything else,
    zero included: a licensed capacity of nothing is not a capacity.
-#}
{% macro positive_integer(expression) -%}
    {%- set text = clean_text(expression) -%}
    case
        when {{ regex_full_match(text, '[0-9]{1,9}([.]0+)?') }}
            then nullif(cast({{ dbt.split_part(text, "'.'", 1) }} as {{ dbt.type_int() }}), 0)
    end
{%- endmacro %}
