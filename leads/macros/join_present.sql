{#-
    Join the non-NULL values of several text expressions with `separator`, in order; NULL when all
    are NULL. (`concat_ws` would do, but not every warehouse has it.)
-#}
{% macro join_present(expressions, separator) -%}
    {%- set width = separator | length -%}
    nullif(substr(
        {%- for expression in expressions %}
        coalesce('{{ separator }}' || ({{ expression }}), ''){{ ' ||' if not loop.last }}
        {%- endfor %},
        {{ width + 1 }}
    ), '')
{%- endmacro %}
