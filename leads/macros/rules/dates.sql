{#-
    Dates as the agencies write them, to a date; anything else is NULL (and, in staging, an issue).

    Accepted shapes, after trimming:
      M/D/YY       `9/25/96`, `7/1/22`      (Nevada and Texas in some years)
      M/D/YYYY     `9/25/1996`               (the same agencies in other years)
      YYYY-MM-DD   `2020-09-02`              (Oklahoma, after its `Monitoring since` prefix; the CRM)
    A date that does not exist (`2/30/21`, `13/1/22`) is NULL.

    Two-digit years are read relative to `reference_date`, the snapshot date of the file the value
    came from (today when it has none): the year is the one in the 100-year window that ends ten
    years after the reference year. For a file of 2024 that window is 1935-2034, so `9/25/96` is 1996, `7/1/22` is 2022 and
    `6/30/34` is 2034 (an expiration date can lie a few years ahead), while `1/1/35` is 1935. Because
    the window moves with the file and not with the day the pipeline runs, re-running an old file
    always gives the same dates.
-#}
{% macro parse_date(expression, reference_date) -%}
    {{ return(adapter.dispatch('parse_date', 'leads')(expression, reference_date)) }}
{%- endmacro %}


{#- The four-digit year of a two-digit `year_digits`, in the window described above. -#}
{% macro pivot_two_digit_year(year_digits, reference_date) -%}
    {%- set reference_year = 'extract(year from coalesce(' ~ reference_date ~ ', current_date))' -%}
    {%- set window_end = '(cast(' ~ reference_year ~ ' as ' ~ dbt.type_int() ~ ') + 10)' -%}
    {%- set candidate = '(' ~ window_end ~ ' - ' ~ window_end ~ ' % 100 + cast(' ~ year_digits ~ ' as ' ~ dbt.type_int() ~ '))' -%}
    case when {{ candidate }} > {{ window_end }} then {{ candidate }} - 100 else {{ candidate }} end
{%- endmacro %}


{#-
    Portable version: the shape is checked with a regular expression, the parts are taken apart with
    split_part, and the calendar (month lengths, leap years) is checked with arithmetic before the
    cast, because a plain cast of an impossible date raises an error instead of giving NULL.
-#}
{% macro default__parse_date(expression, reference_date) -%}
    {%- set text = 'trim(' ~ expression ~ ')' -%}
    {%- set is_iso = regex_full_match(text, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') -%}
    {%- set is_us = regex_full_match(text, '[0-9]{1,2}/[0-9]{1,2}/([0-9]{2}|[0-9]{4})') -%}
    {%- set year -%}
        case
            when {{ is_iso }} then cast({{ dbt.split_part(text, "'-'", 1) }} as {{ dbt.type_int() }})
            when {{ is_us }} and {{ dbt.length(dbt.split_part(text, "'/'", 3)) }} = 2
                then {{ pivot_two_digit_year(dbt.split_part(text, "'/'", 3), reference_date) }}
            when {{ is_us }} then cast({{ dbt.split_part(text, "'/'", 3) }} as {{ dbt.type_int() }})
        end
    {%- endset -%}
    {%- set month -%}
        case
            when {{ is_iso }} then cast({{ dbt.split_part(text, "'-'", 2) }} as {{ dbt.type_int() }})
            when {{ is_us }} then cast({{ dbt.split_part(text, "'/'", 1) }} as {{ dbt.type_int() }})
        end
    {%- endset -%}
    {%- set day -%}
        case
            when {{ is_iso }} then cast({{ dbt.split_part(text, "'-'", 3) }} as {{ dbt.type_int() }})
            when {{ is_us }} then cast({{ dbt.split_part(text, "'/'", 2) }} as {{ dbt.type_int() }})
        end
    {%- endset -%}
    {{ date_from_parts(year, month, day) }}
{%- endmacro %}

{#- A date from integer parts, NULL unless the day exists in the calendar. -#}
{% macro date_from_parts(year, month, day) -%}
    {%- set is_leap = '((' ~ year ~ ') % 4 = 0 and ((' ~ year ~ ') % 100 <> 0 or (' ~ year ~ ') % 400 = 0))' -%}
    case
        when ({{ month }}) between 1 and 12
            and ({{ day }}) between 1 and case
                when ({{ month }}) = 2 then case when {{ is_leap }} then 29 else 28 end
                when ({{ month }}) in (4, 6, 9, 11) then 30
                else 31
            end
        then cast(
            cast({{ year }} as {{ dbt.type_string() }})
            || '-' || lpad(cast({{ month }} as {{ dbt.type_string() }}), 2, '0')
            || '-' || lpad(cast({{ day }} as {{ dbt.type_string() }}), 2, '0')
            as date
        )
    end
{%- endmacro %}


{#- PostgreSQL has no try-cast for dates: the portable version checks the calendar first. -#}
{% macro postgres__parse_date(expression, reference_date) -%}
    {{ default__parse_date(expression, reference_date) }}
{%- endmacro %}


{#- DuckDB parses with try_strptime, which gives NULL for a day that does not exist. -#}
{% macro duckdb__parse_date(expression, reference_date) -%}
    {%- set text = 'trim(' ~ expression ~ ')' -%}
    case
        when regexp_full_match({{ text }}, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}')
            then cast(try_strptime({{ text }}, '%Y-%m-%d') as date)
        when regexp_full_match({{ text }}, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}')
            then cast(try_strptime({{ text }}, '%m/%d/%Y') as date)
        when regexp_full_match({{ text }}, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{2}')
            then cast(try_strptime(
                split_part({{ text }}, '/', 1) || '/' || split_part({{ text }}, '/', 2) || '/'
                    || cast({{ pivot_two_digit_year("split_part(" ~ text ~ ", '/', 3)", reference_date) }} as varchar),
                '%m/%d/%Y'
            ) as date)
    end
{%- endmacro %}
