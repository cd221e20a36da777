{#-
    Age groups served, from the youngest: the contract's groups and their ages in months.
    School-age ends at 155 months, the day before a child's 13th birthday.
-#}
{% macro age_groups() -%}
    {{ return([
        {'name': 'Infants', 'min_months': 0, 'max_months': 11, 'prefixes': ['INFANT']},
        {'name': 'Toddlers', 'min_months': 12, 'max_months': 23, 'prefixes': ['TODDLER']},
        {'name': 'Preschool', 'min_months': 24, 'max_months': 59, 'prefixes': ['PRESCHOOL', 'PRE-SCHOOL', 'PRE SCHOOL']},
        {'name': 'School-age', 'min_months': 60, 'max_months': 155, 'prefixes': ['SCHOOL']},
    ]) }}
{%- endmacro %}


{#-
    The group an agency's label names, by its first word: `Infants (0-11 months)` -> `Infants`,
    `School-age (5 years-older)` -> `School-age`. NULL for blank and for labels of no group.
-#}
{% macro age_group(expression) -%}
    {%- set text = 'upper(' ~ clean_text(expression) ~ ')' -%}
    case
        {%- for group in age_groups() %}
        when {% for prefix in group.prefixes %}{{ text }} like '{{ prefix }}%'{{ ' or ' if not loop.last }}{% endfor %} then '{{ group.name }}'
        {%- endfor %}
    end
{%- endmacro %}


{#-
    The three age columns from one boolean expression per group (keys: the group names):
    `ages_served` (groups joined with `, `, youngest first), `min_age` and `max_age` in months.
    A group whose expression is false or NULL is not served; no group served gives NULLs.
-#}
{% macro age_columns(served) -%}
    {%- set pieces = [] -%}
    {%- for group in age_groups() -%}
        {%- do pieces.append("case when " ~ served[group.name] ~ " then '" ~ group.name ~ "' end") -%}
    {%- endfor -%}
    {{ join_present(pieces, ', ') }} as ages_served,
    case
        {%- for group in age_groups() %}
        when {{ served[group.name] }} then {{ group.min_months }}
        {%- endfor %}
    end as min_age,
    case
        {%- for group in age_groups() | reverse %}
        when {{ served[group.name] }} then {{ group.max_months }}
        {%- endfor %}
    end as max_age
{%- endmacro %}
