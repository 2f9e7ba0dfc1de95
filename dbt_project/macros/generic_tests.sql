{#- Generic tests the project needs without dbt_utils. -#}

{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- SCD2: no two versions of one entity cover the same day, and valid_from <= valid_to. -#}
{% test versions_do_not_overlap(model, entity) %}
select a.{{ entity }}, a.valid_from, a.valid_to
from {{ model }} as a
inner join {{ model }} as b
    on a.{{ entity }} = b.{{ entity }}
    and a.valid_from < b.valid_from
    and a.valid_to >= b.valid_from
union all
select {{ entity }}, valid_from, valid_to from {{ model }} where valid_from > valid_to
{% endtest %}

{#- Every non-null value of the column within [min_value, max_value]. -#}
{% test values_between(model, column_name, min_value, max_value) %}
select {{ column_name }} from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
