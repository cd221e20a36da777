{#-
    A yes/no cell as a boolean: `Y`, `YES`, `TRUE`, `T`, `1` (and `extra_yes` words) are true;
    `N`, `NO`, `FALSE`, `F`, `0` (and `extra_no` words) are false; blank and anything else NULL.
    Case and surrounding spaces are ignored.
-#}
{% macro yes_no(expression, extra_yes=[], extra_no=[]) -%}
    {%- set yes = ['Y', 'YES', 'TRUE', 'T', '1'] + (extra_yes | map('upper') | list) -%}
    {%- set no = ['N', 'NO', 'FALSE', 'F', '0'] + (extra_no | map('upper') | list) -%}
    {%- set text = 'upper(' ~ clean_text(expression) ~ ')' -%}
    case
        when {{ text }} in ('{{ yes | join("', '") }}') then true
        when {{ text }} in ('{{ no | join("', '") }}') then false
    end
{%- endmacro %}
