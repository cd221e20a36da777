{#-
    Models whose memory would grow with the data compute their rows in batches of at most
    LEADS_BATCH_ROWS input rows (which `leads` derives from LEADS_MEMORY_LIMIT), one statement
    each, so that a statement's joins and aggregates hold one batch:
      staging     a batch of raw rows, joined only to the lookup rows it matches
                  (`lookup_source(among=...)`); a batch is a range of record numbers of every new
                  file (`record_batches`), a plain range the warehouse pushes down to its scan, so
                  that each batch reads its own rows only and the batches of a load read it once.
      int_leads__merged
                  a batch of leads (`lead_batch`): a lead's members are aggregated together, and
                  the warehouse holds a list or a text value per lead and column it aggregates,
                  which it cannot spill.

    The model's own statement computes batch 0; its post-hook (`insert_other_batches`) inserts
    the others, each with the model's SQL and another batch. Without the variable (a plain
    `dbt run`), when the rows fit in one batch, and in tests, the rows are read in one statement.
-#}

{#- LEADS_BATCH_ROWS when a model computes in batches: unset for a test reading the rows (and a
    unit test), which read them whole, and when the relation is not there. -#}
{% macro batch_rows_for(relation) -%}
    {%- set batch_rows = env_var('LEADS_BATCH_ROWS', '') -%}
    {%- if not execute or model.resource_type != 'model' or not batch_rows or not relation_exists(relation) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(batch_rows | int) }}
{%- endmacro %}


{#- How many batches the rows of `relation` that `condition` selects make. -#}
{% macro batch_count(relation, condition) -%}
    {%- set batch_rows = batch_rows_for(relation) -%}
    {%- if batch_rows is none -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set counted = run_query('select count(*) from ' ~ relation ~ ' where ' ~ condition) -%}
    {%- set rows = counted.columns[0].values()[0] | int -%}
    {{ return([((rows + batch_rows - 1) // batch_rows) | int, 1] | max) }}
{%- endmacro %}


{#- The batches of raw rows (`relation`, its rows that `condition` selects) as ranges of record
    numbers (`_record_number`, from 1 in each file): [count, width], batch b holding the records
    numbered b * width + 1 to (b + 1) * width of every file: as many even batches as the longest file
    times the number of files needs, so no batch holds more than LEADS_BATCH_ROWS rows (give or take
    one per file), however uneven the files. -#}
{% macro record_batches(relation, condition) -%}
    {%- set batch_rows = batch_rows_for(relation) -%}
    {%- if batch_rows is none -%}
        {{ return([1, none]) }}
    {%- endif -%}
    {%- set counted = run_query(
        "select count(*), count(distinct _dlt_load_id || '|' || _relative_path), max(_record_number) from "
        ~ relation ~ ' where ' ~ condition
    ).rows[0] -%}
    {%- if (counted[0] | int) <= batch_rows -%}
        {{ return([1, none]) }}
    {%- endif -%}
    {%- set files, last = counted[1] | int, counted[2] | int -%}
    {%- set batches = [(last * files + batch_rows - 1) // batch_rows, 1] | max -%}
    {{ return([batches, (last + batches - 1) // batches]) }}
{%- endmacro %}


{#- The condition selecting batch `batch` of `batches` ranges of `width` record numbers
    (`number`); the post-hook finds the model's batch by its comment. -#}
{% macro in_record_batch(number, batches, width, batch=0) -%}
    {{ number }} between {{ batch * width + 1 }} and {{ (batch + 1) * width }} /* batch {{ batch }} of {{ batches }} by {{ width }} */
{%- endmacro %}


{#- The condition selecting one batch of `batches` by a non-negative integer expression; the
    post-hook finds the model's batch by its comment. -#}
{% macro in_batch(number, batches, batch=0) -%}
    {{ number }} % {{ batches }} = {{ batch }} /* batch */
{%- endmacro %}


{#- The condition selecting the leads (`lead_id`) of batch 0 of `batches`; every lead when one. -#}
{% macro lead_batch(lead_id, batches) -%}
    {%- if batches > 1 -%}
    {{ in_batch(hash_number(lead_id, 1), batches) }}
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}


{#- `from` the members (`clustered`) of merged leads and their current records (`records`), of the
    leads int_leads__touched lists in batch 0 of `batches`; a caller may add conditions. -#}
{% macro merged_members_of_batch(batches) -%}
    from {{ ref('int_source_records__clustered') }} as clustered
    inner join {{ ref('int_source_records__current') }} as records
        on clustered.record_index = records.record_index
    where clustered.member_count > 1
        and {{ among_touched_leads('clustered.lead_id') }}
        and {{ lead_batch('clustered.lead_id', batches) }}
{%- endmacro %}


{#- Post-hook of a model computed in batches: insert the batches after the model's own (batch 0),
    the model's SQL with each batch's condition in place of batch 0's wherever it stands. -#}
{% macro insert_other_batches() -%}
    {%- set ranges = modules.re.search('between [0-9]+ and [0-9]+ /[*] batch 0 of ([0-9]+) by ([0-9]+) [*]/', sql)
        if execute and sql else none -%}
    {%- set found = modules.re.search('% ([0-9]+) = 0 /[*] batch [*]/', sql) if execute and sql else none -%}
    {%- if ranges or found -%}
    {%- set batches = (ranges or found).group(1) | int -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}
        {%- do columns.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- for batch in range(1, batches) -%}
    {%- if ranges -%}
    {%- set width = ranges.group(2) | int -%}
    {%- set batch_sql = sql.replace(
        ranges.group(0),
        'between ' ~ (batch * width + 1) ~ ' and ' ~ ((batch + 1) * width) ~ ' /* batch ' ~ batch ~ ' of ' ~ batches
        ~ ' by ' ~ width ~ ' */'
    ) -%}
    {%- else -%}
    {%- set batch_sql = sql.replace(found.group(0), '% ' ~ batches ~ ' = ' ~ batch ~ ' /* batch */') -%}
    {%- endif -%}
    {%- do run_query(
        'insert into ' ~ this ~ ' (' ~ columns | join(', ') ~ ') select ' ~ columns | join(', ')
        ~ ' from (' ~ batch_sql ~ ') as batch'
    ) -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
