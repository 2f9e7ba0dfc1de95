{#- One dispatch macro per dialect gap (see DESIGN.md decision 9). DuckDB is the default implementation. -#}

{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'lvsocial')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
{#- Spark reads backslash escapes in string literals ('\s' would be 's'): the pattern goes in a raw literal. -#}
{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, r'{{ pattern }}', r'{{ replacement }}')
{%- endmacro %}

{% macro safe_cast(expr, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'lvsocial')(expr, type)) }}
{%- endmacro %}
{% macro default__safe_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{#- `dd.mm.yyyy` (or ISO) text to DATE; NULL when it does not parse. -#}
{% macro parse_lv_date(expr) -%}
    {{ return(adapter.dispatch('parse_lv_date', 'lvsocial')(expr)) }}
{%- endmacro %}
{% macro default__parse_lv_date(expr) -%}
    coalesce(
        cast(try_strptime(trim({{ expr }}), '%d.%m.%Y') as date),
        {{ lvsocial.safe_cast('trim(' ~ expr ~ ')', 'date') }}
    )
{%- endmacro %}
{% macro postgres__parse_lv_date(expr) -%}
    case
        when trim({{ expr }}) ~ '^\d{1,2}\.\d{1,2}\.\d{4}$' then to_date(trim({{ expr }}), 'DD.MM.YYYY')
        when trim({{ expr }}) ~ '^\d{4}-\d{2}-\d{2}$' then cast(trim({{ expr }}) as date)
    end
{%- endmacro %}
{% macro spark__parse_lv_date(expr) -%}
    coalesce(try_to_date(trim({{ expr }}), 'd.M.yyyy'), try_to_date(trim({{ expr }}), 'yyyy-MM-dd'))
{%- endmacro %}

{#- The day before a date, as a DATE on every adapter (Spark's dateadd returns a timestamp). -#}
{% macro day_before(expr) -%}
    cast({{ dbt.dateadd('day', -1, expr) }} as date)
{%- endmacro %}

{#- Surrogate key: md5 of the natural key parts joined with '|'. -#}
{% macro surrogate_key(parts) -%}
    {{ dbt.hash(dbt.concat(lvsocial._sk_parts(parts))) }}
{%- endmacro %}
{% macro _sk_parts(parts) -%}
    {%- set out = [] -%}
    {%- for p in parts -%}
        {%- do out.append("coalesce(cast(" ~ p ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
        {%- if not loop.last %}{% do out.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
