{#- First and last day of a calendar year given as an integer expression, as DATEs on every adapter. Yearly files
    (budgets, statistics, staffing, population) match municipality versions whose validity overlaps their year. -#}

{% macro year_start(year_expr) -%}
    cast({{ dbt.concat(["cast(" ~ year_expr ~ " as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date)
{%- endmacro %}

{% macro year_end(year_expr) -%}
    cast({{ dbt.concat(["cast(" ~ year_expr ~ " as " ~ dbt.type_string() ~ ")", "'-12-31'"]) }} as date)
{%- endmacro %}
