{#-
    Models whose memory would grow with the data compute their rows in batches of at most
    LEADS_BATCH_ROWS input rows (which `leads` derives from LEADS_MEMORY_LIMIT), one statement
    each, so that a statement's joins and aggregates hold one batch:
      staging     a batch of raw rows, joined only to the lookup rows it matches
                  (`lookup_source(among=...)`); a batch is the records whose record number
                  leaves that remainder, so batches are even whatever the files.
      int_leads__merged
                  a batch of leads (`lead_batch`): a lead's members are aggregated together, and
                  the warehouse holds a list or a text value per lead and column it aggregates,
                  which it cannot spill.

    The model's own statement computes batch 0; its post-hook (`insert_other_batches`) inserts
    the others, each with the model's SQL and another batch number. Without the variable (a plain
    `dbt run`), when the rows fit in one batch, and in tests, the rows are read in one statement.
-#}

{#- How many batches the rows of `relation` that `condition` selects make. -#}
{% macro batch_count(relation, condition) -%}
    {%- set batch_rows = env_var('LEADS_BATCH_ROWS', '') -%}
    {#- a test reading the rows (and a unit test) reads them whole -#}
    {%- if not execute or model.resource_type != 'model' or not batch_rows or not relation_exists(relation) -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set counted = run_query('select count(*) from ' ~ relation ~ ' where ' ~ condition) -%}
    {%- set rows = counted.columns[0].values()[0] | int -%}
    {{ return([((rows + (batch_rows | int) - 1) // (batch_rows | int)) | int, 1] | max) }}
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


{#- Post-hook of a model computed in batches: insert the batches after the model's own (batch 0). -#}
{% macro insert_other_batches() -%}
    {%- set found = modules.re.search('% ([0-9]+) = 0 /[*] batch [*]/', sql) if execute and sql else none -%}
    {%- if found -%}
    {%- set batches = found.group(1) | int -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}
        {%- do columns.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- for batch in range(1, batches) -%}
    {%- set batch_sql = sql.replace(found.group(0), '% ' ~ batches ~ ' = ' ~ batch ~ ' /* batch */') -%}
    {%- do run_query(
        'insert into ' ~ this ~ ' (' ~ columns | join(', ') ~ ') select ' ~ columns | join(', ')
        ~ ' from (' ~ batch_sql ~ ') as batch'
    ) -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
