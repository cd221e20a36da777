{#-
    A 60-bit number from 15 hex digits of the MD5 of `text`, from digit `first_digit` (1-based):
    an integer a plain `sum` aggregates exactly, in a fixed-size state the warehouse can spill.
-#}
{% macro hash_number(text, first_digit) -%}
    {{ return(adapter.dispatch('hash_number')(text, first_digit)) }}
{%- endmacro %}

{% macro default__hash_number(text, first_digit) -%}
    cast(conv(substr(md5({{ text }}), {{ first_digit }}, 15), 16, 10) as bigint)
{%- endmacro %}

{% macro duckdb__hash_number(text, first_digit) -%}
    cast('0x' || substr(md5({{ text }}), {{ first_digit }}, 15) as bigint)
{%- endmacro %}

{% macro postgres__hash_number(text, first_digit) -%}
    cast(cast('x' || substr(md5({{ text }}), {{ first_digit }}, 15) as bit(60)) as bigint)
{%- endmacro %}
