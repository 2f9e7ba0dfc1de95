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

{#- Text as the marts' contracts declare it (`varchar`). An incremental model with a contract must cast to exactly
    this: on PostgreSQL dbt's type_string is `text`, and the incremental run would see `text` columns arriving in a
    table the contract created as `character varying`, a schema change. Spark has only `string`. -#}
{% macro type_varchar() -%}
    {{ return(adapter.dispatch('type_varchar', 'lvsocial')()) }}
{%- endmacro %}
{% macro default__type_varchar() -%}
    varchar
{%- endmacro %}
{% macro spark__type_varchar() -%}
    string
{%- endmacro %}
