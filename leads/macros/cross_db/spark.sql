{#-
    Spark variants. Spark's regular expressions are Java's: POSIX classes are spelled `\p{Space}`,
    not `[:space:]`, and a backslash in a string literal is an escape character, so a pattern's
    backslashes are doubled to reach the regex engine as written. `regexp_replace` replaces every
    match.
-#}
{% macro spark_pattern(pattern) -%}
    {%- set posix = {
        '[:space:]': '\\s', '[:alpha:]': '\\p{Alpha}', '[:digit:]': '\\d', '[:alnum:]': '\\p{Alnum}',
        '[:upper:]': '\\p{Upper}', '[:lower:]': '\\p{Lower}', '[:punct:]': '\\p{Punct}',
    } -%}
    {%- set ns = namespace(text=pattern) -%}
    {%- for name, java in posix.items() -%}
        {%- set ns.text = ns.text | replace(name, java) -%}
    {%- endfor -%}
    {{ return(ns.text | replace('\\', '\\\\')) }}
{%- endmacro %}

{% macro spark__regex_full_match(expression, pattern) -%}
    regexp_like({{ expression }}, '^(?:{{ spark_pattern(pattern) }})$')
{%- endmacro %}

{% macro spark__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ spark_pattern(pattern) }}', '{{ replacement }}')
{%- endmacro %}


{#-
    `dbt.split_part` as DuckDB and PostgreSQL mean it: a part past the end is '' (Spark's array
    index gives NULL), a negative part counts from the end whatever the delimiter's length, and the
    delimiter is literal text (Spark's `split` takes a regular expression: `\Q...\E` quotes it).
-#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    case when {{ string_text }} is not null then coalesce(
        element_at(split({{ string_text }}, concat('\\Q', {{ delimiter_text }}, '\\E'), -1), {{ part_number }}), ''
    ) end
{%- endmacro %}


{#- The keys of a listagg's `order by a, b` clause (ascending keys only), for the variants below. -#}
{% macro listagg_order_keys(order_by_clause) -%}
    {%- set keys = (order_by_clause or '') | replace('order by', '') | trim -%}
    {{ return((keys.split(',') if keys else []) | map('trim') | list) }}
{%- endmacro %}


{#-
    `dbt.listagg` in order. dbt-spark's variant ignores the order (`collect_list` keeps none), so
    the joined text would differ from run to run: here the values are collected with their order
    keys and sorted before they are joined. `order_by_clause` is `order by a, b` (ascending keys).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set fields = [] -%}
    {%- for key in listagg_order_keys(order_by_clause) -%}
        {%- do fields.append(key ~ ' as k' ~ loop.index) -%}
    {%- endfor -%}
    {%- do fields.append(measure ~ ' as v') -%}
    {%- set sorted = 'transform(array_sort(collect_list(struct(' ~ fields | join(', ') ~ '))), x -> x.v)' -%}
    array_join({{ 'slice(' ~ sorted ~ ', 1, ' ~ limit_num ~ ')' if limit_num else sorted }}, {{ delimiter_text }})
{%- endmacro %}


{#- The first non-NULL value of `column` in `order_by` order (one ascending key), as on DuckDB. -#}
{% macro spark__first_present(column, order_by) -%}
    min_by({{ column }}, {{ order_by }}) filter (where {{ column }} is not null)
{%- endmacro %}


{#- PostgreSQL's `substring(x from 'pattern')` is a position on Spark: `regexp_extract` takes the
    group; it gives '' when nothing matches, NULL as elsewhere. -#}
{% macro spark__regex_extract(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ spark_pattern(pattern) }}', 1), '')
{%- endmacro %}


{#- `dbt.cast` (the contract's empty schema among its callers): the marts' contracts say `varchar`,
    which Spark accepts only with a length; its text type is `string`. -#}
{% macro spark__cast(field, type) -%}
    {%- set spark_type = 'string' if type | trim | lower in ('varchar', 'text') else type -%}
    cast({{ field }} as {{ spark_type }})
{%- endmacro %}


{#- dbt-spark sets a contract's constraints on any table whose file format is not given, as if it
    were Delta; the project's tables are plain Parquet, which takes no NOT NULL or CHECK (the marts'
    `not_null` data tests check the same). Delta tables keep them. -#}
{% macro spark__persist_constraints(relation, model) -%}
    {%- if config.get('contract').enforced and config.get('file_format') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- endif -%}
{%- endmacro %}
