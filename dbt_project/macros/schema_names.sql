{#- Layers get plain schema names (staging, intermediate, marts, reporting, reference), not target-prefixed ones:
    BI tools and the published copy address `marts.fct_provider_services`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
