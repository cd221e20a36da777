{#-
    Every row satisfies the SQL `expression` (rows where it is NULL pass, as in a CHECK
    constraint). On a column, the expression is about that column.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
