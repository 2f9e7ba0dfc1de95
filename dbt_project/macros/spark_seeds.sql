{#- Seeds on Spark through the `session` method: dbt-spark binds each value by Python %-formatting, which quotes
    nothing (an apostrophe breaks the statement), turns an empty cell into the text 'None' and a '%' into an error.
    The rows are written here as escaped SQL literals instead, empty cells as NULL. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set types = [] -%}
  {%- for col_name in agate_table.column_names -%}
    {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
  {%- endfor -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for value in row -%}
          cast({{ lvsocial.spark_literal(value) }} as {{ types[loop.index0] }}){{ ", " if not loop.last }}
        {%- endfor -%}){{ "," if not loop.last }}
      {% endfor -%}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- do statements.append(sql) -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_literal(value) -%}
  {%- if value is none -%}null
  {%- elif value is boolean -%}{{ 'true' if value else 'false' }}
  {%- elif value is number -%}{{ value }}
  {%- else -%}'{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
