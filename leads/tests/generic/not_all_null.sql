{#-
    The column has a value somewhere whenever the model (or a group of it) has rows. A parsed
    column that comes out NULL for every row of a source means a parse step failed without a
    word (a lookup table read as empty), not that the agency stopped sending the value.
-#}
{% test not_all_null(model, column_name, group_by=none) %}

select
    {% if group_by %}{{ group_by }},{% endif %}
    count(*) as rows_without_any_value
from {{ model }}
{% if group_by %}group by {{ group_by }}{% endif %}
having count(*) > 0 and count({{ column_name }}) = 0

{% endtest %}
