{#-
    Opening hours of one day as the schedule writes them: `7:30AM - 5:30PM` -> `7:30AM-5:30PM`
    (spaces dropped, AM/PM upper case), `CLOSED` -> `Closed`. NULL for blank and for anything that
    is not a time range of the form H[:MM]AM|PM-H[:MM]AM|PM, and for a range that ends where it
    starts (`12:00AM - 12:00AM`): open around the clock, or no hours given, the export cannot tell
    (`hours_problem` says which rule a NULL broke).
-#}
{% macro opening_hours(expression) -%}
    {%- set text = hours_text(expression) -%}
    case
        when {{ text }} = 'CLOSED' then 'Closed'
        when {{ regex_full_match(text, hours_range()) }} and not {{ same_start_and_end(text) }} then {{ text }}
    end
{%- endmacro %}


{#- The problem of a day's hours `opening_hours` gave NULL for: `ambiguous_schedule` for a range
    ending where it starts, else `invalid_hours`. -#}
{% macro hours_problem(expression) -%}
    {%- set text = hours_text(expression) -%}
    case
        when {{ regex_full_match(text, hours_range()) }} and {{ same_start_and_end(text) }} then 'ambiguous_schedule'
        else 'invalid_hours'
    end
{%- endmacro %}


{#- A day's hours with the spaces dropped, upper case. -#}
{% macro hours_text(expression) -%}
    upper({{ regex_replace_all(expression, '[[:space:]]+', '') }})
{%- endmacro %}


{% macro hours_range() -%}
    {%- set time = '(1[0-2]|0?[1-9])(:[0-5][0-9])?(AM|PM)' -%}
    {{ return(time ~ '-' ~ time) }}
{%- endmacro %}


{#- Both ends of a range are one time (`12:00AM-12AM` too: `:00` dropped before comparing). -#}
{% macro same_start_and_end(text) -%}
    (replace({{ dbt.split_part(text, "'-'", 1) }}, ':00', '') = replace({{ dbt.split_part(text, "'-'", 2) }}, ':00', ''))
{%- endmacro %}


{#-
    One schedule text from the hours of each day of the week, in order Monday first.

    `days` is a list of (label, column) pairs whose columns already hold `opening_hours`. Runs of
    consecutive days with equal hours are grouped (`Mon-Fri 7:30AM-5:30PM`) and groups are joined
    with `; `: `Mon-Fri 7:30AM-5:30PM; Sat-Sun Closed`. A day without hours is left out; a
    week without any hours gives NULL.
-#}
{% macro schedule(days) -%}
    {%- set groups = [] -%}
    {%- for label, hours in days -%}
        {%- set i = loop.index0 -%}
        {%- set starts = 'true' if i == 0 else hours ~ ' is distinct from ' ~ days[i - 1][1] -%}
        {%- set run_end -%}
            case
                {%- for j in range(days | length - 1, i, -1) %}
                when {% for k in range(i + 1, j + 1) %}{{ days[k][1] }} = {{ hours }}{{ ' and ' if not loop.last }}{% endfor %} then '-{{ days[j][0] }}'
                {%- endfor %}
                else ''
            end
        {%- endset -%}
        {%- if i == days | length - 1 -%}{%- set run_end = "''" -%}{%- endif -%}
        {%- do groups.append(
            'case when ' ~ starts ~ " then '" ~ label ~ "' || " ~ run_end ~ " || ' ' || " ~ hours ~ ' end'
        ) -%}
    {%- endfor -%}
    {{ join_present(groups, '; ') }}
{%- endmacro %}
