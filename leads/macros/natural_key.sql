{#-
    A source's natural key from its raw key column (sources.yml: natural_key, natural_key_pattern):
    the cleaned text, or the first group of the source's key pattern in it. The ingestion applies
    the same rule as each file lands (raw.record_index), so both agree on what a record is.
-#}
{% macro natural_key(source_id, column) -%}
    {%- set pattern = (registry() | selectattr('id', 'equalto', source_id) | first)['natural_key_pattern'] -%}
    {%- if pattern -%}
        {{ regex_extract(clean_text(column), pattern) }}
    {%- else -%}
        {{ clean_text(column) }}
    {%- endif -%}
{%- endmacro %}
