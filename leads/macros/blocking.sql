{#-
    How many records one blocking key may pair all-with-all: LEADS_MAX_BLOCK_SIZE, else the
    project's `max_block_size` var. A key shared by more (a hub: a chain's central phone, a
    placeholder address) pairs its records only through a second key they share.
-#}
{% macro max_block_size() -%}
    {{ return(env_var('LEADS_MAX_BLOCK_SIZE', var('max_block_size')) | int) }}
{%- endmacro %}
