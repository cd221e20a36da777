{#-
    data_quality_issues is incremental on DuckDB and PostgreSQL. What a file version reports (its
    rejected values, malformed and unreadable records) never changes once it is staged: a change
    of the rules restages every file and changes `history_rules()`. So a run reports only the
    current file versions not yet reported under these rules, and drops the rows of the versions
    no longer current (a corrected file replaces its earlier version). The hub keys, a few rows
    computed from every record, are reported afresh every run. The file versions reported are
    remembered beside int_source_files__loaded by the model's post-hook; without them (a first
    build, an upgrade, a full refresh) every current file version is reported.
-#}

{% macro reported_files() -%}
    {{ return(ref('int_source_files__loaded').incorporate(path={'identifier': 'int_source_files__reported'})) }}
{%- endmacro %}


{#- Whether this run reports only the file versions not reported yet. -#}
{% macro reports_new_files_only() -%}
    {{ return(is_incremental() and relation_exists(reported_files())) }}
{%- endmacro %}


{#- The current file versions (source, file_name, load_id) this run reports. -#}
{% macro unreported_files() -%}
    select files.source, files.file_name, files.load_id
    from {{ ref('int_source_files__loaded') }} as files
    where files.is_current
    {%- if reports_new_files_only() %}
        and not exists (
            select 1
            from {{ reported_files() }} as reported
            where reported.source = files.source
                and reported.file_name = files.file_name
                and reported.load_id = files.load_id
                and reported.rules_version = '{{ history_rules() }}'
        )
    {%- endif %}
{%- endmacro %}


{#- `column` is the load of a file version this run reports, as a constant list looked up when the
    model runs, which the warehouse pushes down to the staging tables it scans; no filter when
    every current file version is reported. -#}
{% macro among_unreported_loads(column) -%}
    {%- set loads = none -%}
    {%- if reports_new_files_only() -%}
        {%- set found = run_query('select distinct load_id from (' ~ unreported_files() ~ ') as files') -%}
        {%- set loads = found.columns[0].values() | list -%}
    {%- endif -%}
    {{ load_id_among(column, loads) }}
{%- endmacro %}


{#- Pre-hook of data_quality_issues: the rows that go are the hub keys', those of file versions no
    longer current, and those of the versions this run reports (again, after a change of the
    rules); every row when nothing was remembered. -#}
{% macro drop_unreported_issues() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as issues
    {%- if relation_exists(reported_files()) %}
    where issues.load_id is null
        or not exists (
            select 1
            from {{ ref('int_source_files__loaded') }} as files
            where files.is_current
                and files.source = issues.source
                and files.file_name = issues.file_name
                and files.load_id = issues.load_id
        )
        or exists (
            select 1
            from ({{ unreported_files() }}) as unreported
            where unreported.source = issues.source
                and unreported.file_name = issues.file_name
                and unreported.load_id = issues.load_id
        )
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Post-hook of data_quality_issues: every current file version is now reported under these rules. -#}
{% macro remember_reported_files() -%}
    {%- if keeps_state_tables() -%}
    drop table if exists {{ reported_files() }};
    create table {{ reported_files() }} as
    select
        files.source,
        files.file_name,
        files.load_id,
        cast('{{ history_rules() }}' as {{ dbt.type_string() }}) as rules_version
    from {{ ref('int_source_files__loaded') }} as files
    where files.is_current
    {%- endif -%}
{%- endmacro %}
