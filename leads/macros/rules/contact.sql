{#- An email address, trimmed and lower case; NULL unless it looks like `x@y.z` (one @, no spaces). -#}
{% macro email_address(expression) -%}
    {%- set text = 'lower(' ~ clean_text(expression) ~ ')' -%}
    case when {{ regex_full_match(text, '[^@ ]+@[^@ ]+[.][^@ .]+') }} then {{ text }} end
{%- endmacro %}
