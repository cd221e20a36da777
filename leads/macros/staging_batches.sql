{#-
    Staging a file of any size within the memory limit. A staging model computes its raw rows in
    batches of at most LEADS_STAGING_BATCH_ROWS (which `leads` derives from LEADS_MEMORY_LIMIT),
    one statement each: a statement's joins hold its batch's rows and the lookup rows those match
    (`lookup_source(among=...)`), so its memory follows the batch, not the file or the lookups.

    The model's own statement computes batch 0; its post-hook inserts the others, each with the
    model's SQL and another batch number. A batch is the records whose record number leaves that
    remainder, so batches are even whatever the files. Without the variable (a plain `dbt run`),
    when the rows fit in one batch, and in tests, the rows are read in one statement.
-#}

{#- How many batches the rows of `relation` that `condition` selects make. -#}
{% macro staging_batch_count(relation, condition) -%}
    {%- set batch_rows = env_var('LEADS_STAGING_BATCH_ROWS', '') -%}
    {#- a test reading the raw rows (and a unit test) reads them whole -#}
    {%- if not execute or model.resource_type != 'model' or not batch_rows or not relation_exists(relation) -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set counted = run_query('select count(*) from ' ~ relation ~ ' where ' ~ condition) -%}
    {%- set rows = counted.columns[0].values()[0] | int -%}
    {{ return([((rows + (batch_rows | int) - 1) // (batch_rows | int)) | int, 1] | max) }}
{%- endmacro %}


{#- The condition selecting one batch of `batches` by a record-number column; the post-hook finds
    the model's batch by its comment. -#}
{% macro staging_batch(record_number, batches, batch=0) -%}
    {{ record_number }} % {{ batches }} = {{ batch }} /* staging batch */
{%- endmacro %}


{#- Post-hook of every staging model: insert the batches after the model's own (batch 0). -#}
{% macro stage_other_batches() -%}
    {%- set found = modules.re.search('% ([0-9]+) = 0 /[*] staging batch [*]/', sql) if execute and sql else none -%}
    {%- if found -%}
    {%- set batches = found.group(1) | int -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}
        {%- do columns.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- for batch in range(1, batches) -%}
    {%- set batch_sql = sql.replace(found.group(0), '% ' ~ batches ~ ' = ' ~ batch ~ ' /* staging batch */') -%}
    {%- do run_query(
        'insert into ' ~ this ~ ' (' ~ columns | join(', ') ~ ') select ' ~ columns | join(', ')
        ~ ' from (' ~ batch_sql ~ ') as batch'
    ) -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
