{#- A double-precision float on every adapter (ratios such as specialists per 1,000 inhabitants): DuckDB's and
    Spark's `double`, PostgreSQL's `double precision` (dbt's type_float gives a 4-byte FLOAT on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'lvsocial')()) }}
{%- endmacro %}
{% macro default__type_double() -%}
    double
{%- endmacro %}
{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
