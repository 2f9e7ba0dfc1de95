{#- Contracts per adapter: the YAML spells text columns `varchar`, which DuckDB and PostgreSQL take as is and Spark
    refuses without a length (a Spark `varchar(n)` is a `string` anyway). dbt checks a contract by casting NULL to each
    YAML type and comparing the result with the model's columns; on Spark the text types are cast as `string`. The
    other types (integer, decimal(p,s), double, date, boolean) are spelt alike and compare as they are. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = dict(columns[name]) -%}
        {%- if (column.get('data_type') or '') | trim | lower in ('varchar', 'text', 'character varying') -%}
            {%- do column.update({'data_type': 'string'}) -%}
        {%- endif -%}
        {%- do translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}
