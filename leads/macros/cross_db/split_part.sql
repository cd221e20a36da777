{#-
    `dbt.split_part` with a negative part on PostgreSQL (and Redshift, which dispatches here).

    dbt's own negative variant counts the delimiters as the length the string loses without them,
    which is only right for one-character delimiters: `split_part(x, ' - ', -1)` then asks for a
    part past the end and gets ''. Dividing by the delimiter's length counts them right; it also
    works on servers without native negative positions (before PostgreSQL 14, Redshift).
-#}
{% macro postgres__split_part(string_text, delimiter_text, part_number) -%}
    {%- if part_number >= 0 -%}
        {{ dbt.default__split_part(string_text, delimiter_text, part_number) }}
    {%- else -%}
    split_part(
        {{ string_text }},
        {{ delimiter_text }},
        cast(
            (length({{ string_text }}) - length(replace({{ string_text }}, {{ delimiter_text }}, '')))
            / length({{ delimiter_text }})
            + 2 + {{ part_number }}
        as integer)
    )
    {%- endif -%}
{%- endmacro %}
