{#-
    A 60-bit number from 15 hex digits of the MD5 of `text`, from digit `first_digit` (1-based):
    an integer a plain `sum` aggregates exactly, in a fixed-size state the warehouse can spill.
-#}
{% macro hash_number(text, first_digit) -%}
    {{ return(hex_number('md5(' ~ text ~ ')', first_digit)) }}
{%- endmacro %}


{#- The 60-bit number of 15 hex digits of `hex` (a hexadecimal text such as an MD5), from digit
    `first_digit` (1-based). -#}
{% macro hex_number(hex, first_digit) -%}
    {{ return(adapter.dispatch('hex_number')(hex, first_digit)) }}
{%- endmacro %}

{% macro default__hex_number(hex, first_digit) -%}
    cast(conv(substr({{ hex }}, {{ first_digit }}, 15), 16, 10) as bigint)
{%- endmacro %}

{% macro duckdb__hex_number(hex, first_digit) -%}
    cast('0x' || substr({{ hex }}, {{ first_digit }}, 15) as bigint)
{%- endmacro %}

{% macro postgres__hex_number(hex, first_digit) -%}
    cast(cast('x' || substr({{ hex }}, {{ first_digit }}, 15) as bit(60)) as bigint)
{%- endmacro %}
