{#-
    Select a relation with a fixed, typed column list, whatever it looks like today.

    Header drift means a raw table can lack a column (no file ever had it) or not exist at all (an
    optional source with no file yet, a rejects table before the first reject). Models still
    compile and run: a missing column is NULL, a missing table an empty result of the same shape.

    In a dbt unit test the relation is the test's fixture: every column is taken to be there,
    unless the test lists the columns its fixtures give by overriding `fixture_columns`, in which
    case the others are NULL, exactly as for a raw table that lacks them.

    `required=true` makes a missing table an error instead: a table the pipeline always writes
    (a lookup table) must never read as empty, or every value parsed from it would be NULL.
-#}
{% macro select_columns(relation, columns, required=false) -%}
    {%- set existing = [] -%}
    {%- if execute and model.resource_type == 'unit_test' -%}
        {%- set given = fixture_columns() -%}
        {%- for name, type in columns if given is none or name in given -%}
            {%- do existing.append(name) -%}
        {%- endfor -%}
    {%- elif execute -%}
        {%- if relation_exists(relation) -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do existing.append(column.name | lower) -%}
            {%- endfor -%}
        {%- elif required -%}
            {{ exceptions.raise_compiler_error(
                "table " ~ relation.schema ~ "." ~ relation.identifier ~ " does not exist; it is written by "
                ~ "`leads ingest`: run it (or `leads run`) before building the models"
            ) }}
        {%- endif -%}
    {%- endif -%}
    select
        {%- for name, type in columns %}
        {% if name in existing -%}
            {{ adapter.quote(name) }}
        {%- else -%}
            cast(null as {{ type }})
        {%- endif %} as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    {% if existing -%}
    from {{ relation }}
    {%- else -%}
    where 1 = 0
    {%- endif %}
{%- endmacro %}


{#-
    Whether a table exists, asked of the warehouse itself: dbt's relation cache only knows the
    schemas dbt builds, and a cache that missed a table written by dlt or the lookups (raw,
    lookup) would make its columns NULL without a word.
-#}
{% macro relation_exists(relation) -%}
    {#- While dbt parses (and sqlfluff lints) no query runs: no table is known to exist. -#}
    {{ return(execute and adapter.dispatch('relation_exists')(relation)) }}
{%- endmacro %}


{% macro default__relation_exists(relation) -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_schema = '" ~ relation.schema
        ~ "' and table_name = '" ~ relation.identifier ~ "'"
    ) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}


{#- Spark has no information_schema: its catalog lists a database's tables. -#}
{% macro spark__relation_exists(relation) -%}
    {%- set databases = run_query("show databases like '" ~ relation.schema ~ "'") -%}
    {%- if databases.rows | length == 0 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = run_query("show tables in " ~ relation.schema ~ " like '" ~ relation.identifier ~ "'") -%}
    {{ return(found.rows | length > 0) }}
{%- endmacro %}


{#- The columns a unit test's fixtures give; a unit test overrides it, nothing else does. -#}
{% macro fixture_columns() -%}
    {{ return(none) }}
{%- endmacro %}


{#- A source's raw table: its text columns plus the lineage columns every raw table has, one
    batch of them at a time when they are many (macros/batches.sql). -#}
{% macro raw_source(source_id, columns) -%}
    {%- set typed = [
        ('_record_number', dbt.type_bigint()),
        ('_file_name', dbt.type_string()),
        ('_relative_path', dbt.type_string()),
        ('_snapshot_date', 'date'),
        ('_modification_date', dbt.type_timestamp()),
        ('_dlt_load_id', dbt.type_string()),
        ('_extra_fields', dbt.type_string()),
        ('_parse_error', dbt.type_string()),
    ] -%}
    {%- for column in columns -%}{%- do typed.append((column, dbt.type_string())) -%}{%- endfor -%}
    {%- set raw_relation = source('raw', source_id ~ '_raw') %}
    {#- a unit test checks the rules on its fixture rows, never the incremental filter -#}
    {%- set incremental = model.resource_type != 'unit_test' and is_incremental() %}
    {%- set conditions = [new_loads_only(raw_relation)] if incremental else [] %}
    {%- set batches, width = record_batches(raw_relation, conditions | join(' and ') or '1 = 1') %}
    {%- set batch = in_record_batch('_record_number', batches, width) if batches > 1 else none %}
    {%- if batch %}{% do conditions.append('raw_rows.' ~ batch) %}{% endif %}
    {%- set copies = incremental and copies_unchanged_records() %}
    {%- if not conditions %}
    {{ select_columns(raw_relation, typed) }}
    {%- else %}
    {{ rows_to_compute(raw_relation, typed, conditions, copies, in_record_batch('record_number', batches, width) if batch else none) }}
    {%- endif %}
{%- endmacro %}


{#- The raw rows (`columns` of `raw_relation`) that `conditions` select and a staging run computes:
    with `copies`, not the unchanged records its hooks copy instead (macros/unchanged_records.sql),
    of which only those `unchanged_condition` selects (a batch's) are read. -#}
{% macro rows_to_compute(raw_relation, columns, conditions, copies, unchanged_condition=none) -%}
    select raw_rows.* from ({{ select_columns(raw_relation, columns) }}) as raw_rows
    {%- if copies %}
    left join (
        select * from {{ unchanged_records_relation() }} as unchanged_rows
        {%- if unchanged_condition %} where {{ unchanged_condition }}{% endif %}
    ) as unchanged
        on raw_rows._dlt_load_id = unchanged.load_id
        and raw_rows._relative_path = unchanged.relative_path
        and raw_rows._record_number = unchanged.record_number
    {%- endif %}
    where {{ conditions | join(' and ') }}
    {%- if copies %}
        and unchanged.record_number is null
    {%- endif %}
{%- endmacro %}
