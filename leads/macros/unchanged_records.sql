{#-
    Records a new load brings unchanged: staging copies their staged row instead of computing it.

    A staged value is a function of the record's text (its canonical columns and parse error), the
    lookups, the seeds and, for a two-digit year, its snapshot's year. The lookups never change a
    parsed value, and a change of the seeds, the rules or a parser rebuilds staging in full. So a
    record of a new load whose content hash (`raw.record_index`) equals that of a record staged
    from an earlier snapshot of the same year has that record's staged values: only its lineage
    (snapshot, file, record number, load) is its own. Most records of a monthly snapshot are such.

    The copy comes from the latest already-staged snapshot of the same source and year before the
    new one (a month's is the month before); a record with no match there, a load without index
    rows (landed before the index existed) and a source's first snapshot of a year are computed.
    One row per new record: its lineage (load, path, record number, snapshot, file name) and the
    load, file name and record number of the staged row to copy. The staging models' hooks list
    them in a work table and copy them before the model computes the rest (below).
-#}
{% macro unchanged_records(source_id) -%}
    {%- set index = source('raw', 'record_index') -%}
    {%- set ledger = source('raw', 'ingested_files') -%}
    with

    staged_files as (
        select distinct load_id, file_name from {{ this }} where load_id is not null
    ),

    files as (
        {#- The source's landed files (one load can bring several), whether each is staged, and
            whether its name is its own within its load (a staged row is found by load, name and
            record number). -#}
        select
            ledger.load_id,
            ledger.relative_path,
            ledger.file_name,
            ledger.snapshot_date,
            staged_files.load_id is not null as is_staged,
            count(*) over (partition by ledger.load_id, ledger.file_name) = 1 as is_named_once
        from {{ ledger }} as ledger
        left join staged_files
            on ledger.load_id = staged_files.load_id
            and ledger.file_name = staged_files.file_name
        where ledger.source = '{{ source_id }}'
            and ledger.status = 'loaded'
            and ledger.snapshot_date is not null
    ),

    copy_from as (
        {#- Per new file, the latest staged snapshot of the same year before it. -#}
        select
            new_files.load_id,
            new_files.relative_path,
            new_files.file_name,
            max(earlier.snapshot_date) as snapshot_date
        from files as new_files
        inner join files as earlier
            on earlier.is_staged
            and earlier.snapshot_date < new_files.snapshot_date
            and extract(year from earlier.snapshot_date) = extract(year from new_files.snapshot_date)
        where not new_files.is_staged
        group by new_files.load_id, new_files.relative_path, new_files.file_name
    ),

    earlier_contents as (
        {#- One staged record per content hash of each snapshot copied from. -#}
        select
            ranked.snapshot_date,
            ranked.row_hash,
            ranked.load_id,
            ranked.file_name,
            ranked.record_number
        from (
            select
                entry.snapshot_date,
                entry.row_hash,
                entry.load_id,
                files.file_name,
                entry.record_number,
                row_number() over (
                    partition by entry.snapshot_date, entry.row_hash
                    order by entry.load_id desc, files.file_name desc, entry.record_number desc
                ) as pick
            from {{ index }} as entry
            inner join files
                on entry.load_id = files.load_id
                and entry.relative_path = files.relative_path
                and files.is_staged
                and files.is_named_once
            where entry.source = '{{ source_id }}'
                and entry.snapshot_date in (select snapshot_date from copy_from)
        ) as ranked
        where ranked.pick = 1
    )

    select
        entry.load_id,
        entry.relative_path,
        entry.record_number,
        entry.snapshot_date,
        copy_from.file_name,
        earlier_contents.load_id as copied_load_id,
        earlier_contents.file_name as copied_file_name,
        earlier_contents.record_number as copied_record_number
    from {{ index }} as entry
    inner join copy_from
        on entry.load_id = copy_from.load_id
        and entry.relative_path = copy_from.relative_path
    inner join earlier_contents
        on copy_from.snapshot_date = earlier_contents.snapshot_date
        and entry.row_hash = earlier_contents.row_hash
    where entry.source = '{{ source_id }}'
{%- endmacro %}


{#- Whether a staging model can copy unchanged records in this run: an incremental build (not a
    unit test) with the index and the ledger there to say which records are unchanged. -#}
{% macro copies_unchanged_records() -%}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(relation_exists(source('raw', 'record_index')) and relation_exists(source('raw', 'ingested_files'))) }}
{%- endmacro %}


{#-
    The hooks of every staging model (dbt_project.yml): before the model's rows are computed, the
    unchanged records of its new loads are listed in a work table beside it and their copies are
    inserted, each written once; the model then computes only the other records (`raw_source`
    leaves out the listed ones). Columns are copied by name, in the staged table's order, with
    each record's own lineage. After the model, the work table is dropped.
-#}
{% macro unchanged_records_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__unchanged'})) }}
{%- endmacro %}


{#- The work table as an empty relation of the columns a staging model joins it on: its stand-in
    where the model's query is only planned at compile time, before the hooks make the table. -#}
{% macro no_unchanged_records() -%}
    (select cast(null as {{ dbt.type_string() }}) as load_id, cast(null as {{ dbt.type_string() }}) as relative_path,
        cast(null as {{ dbt.type_bigint() }}) as record_number where 1 = 0)
{%- endmacro %}


{% macro drop_unchanged_records() -%}
    drop table if exists {{ unchanged_records_relation() }}
{%- endmacro %}


{% macro find_unchanged_records() -%}
    {%- if copies_unchanged_records() -%}
    {{ create_work_table(unchanged_records_relation(), unchanged_records(staging_source_id())) }}
    {%- endif -%}
{%- endmacro %}


{% macro copy_unchanged_records() -%}
    {%- if copies_unchanged_records() -%}
    {%- set lineage = {
        'snapshot_date': 'unchanged.snapshot_date',
        'file_name': 'unchanged.file_name',
        'record_number': 'unchanged.record_number',
        'load_id': 'unchanged.load_id',
    } -%}
    insert into {{ this }}
    select
        {%- for column in adapter.get_columns_in_relation(this) %}
        {{ lineage.get(column.name | lower, 'staged.' ~ adapter.quote(column.name)) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ unchanged_records_relation() }} as unchanged
    inner join {{ this }} as staged
        on unchanged.copied_load_id = staged.load_id
        and unchanged.copied_file_name = staged.file_name
        and unchanged.copied_record_number = staged.record_number
    {%- endif -%}
{%- endmacro %}


{#- A table from a query, in the warehouse's own table format (Spark's default would be Hive text). -#}
{% macro create_work_table(relation, sql) -%}
    {{ return(adapter.dispatch('create_work_table')(relation, sql)) }}
{%- endmacro %}


{% macro default__create_work_table(relation, sql) -%}
    create table {{ relation }} as {{ sql }}
{%- endmacro %}


{% macro spark__create_work_table(relation, sql) -%}
    create table {{ relation }} using parquet as {{ sql }}
{%- endmacro %}


{#- The id of the source whose staging model is being built (sources.yml's `staging_model`). -#}
{% macro staging_source_id() -%}
    {%- for source in registry() if source.staging_model == model.name -%}
        {{ return(source.id) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(model.name ~ " is no source's staging_model in sources.yml") }}
{%- endmacro %}
