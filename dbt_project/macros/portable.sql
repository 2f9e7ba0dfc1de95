{#- One dispatch macro per dialect gap (docs/design.md#d9). DuckDB is the default implementation. -#}

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
{#- PostgreSQL has no try_cast: a CASE admits only text that reads as a number (sign, digits, decimals, exponent) and,
    for integer types, lies within the type's range; like DuckDB's try_cast, decimals are rounded half away from
    zero ('12.5' -> 13). DuckDB also reads '1_000' and '0x10'; PostgreSQL here gives NULL for those. -#}
{% macro postgres__safe_cast(expr, type) -%}
    {%- set t = type | lower | trim -%}
    {%- set number = "'^\\s*[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?\\s*$'" -%}
    {%- set ranges = {'smallint': (-32768, 32767), 'integer': (-2147483648, 2147483647), 'int': (-2147483648, 2147483647),
                      'bigint': (-9223372036854775808, 9223372036854775807)} -%}
    {%- if t in ranges -%}
    case when cast({{ expr }} as text) ~ {{ number }} then
        case when round(cast(cast({{ expr }} as text) as numeric)) between {{ ranges[t][0] }} and {{ ranges[t][1] }}
             then cast(round(cast(cast({{ expr }} as text) as numeric)) as {{ type }}) end
    end
    {%- elif t.startswith('decimal') or t.startswith('numeric') or t in ('double', 'double precision', 'real', 'float') -%}
    case when cast({{ expr }} as text) ~ {{ number }} then cast(cast({{ expr }} as text) as {{ type }}) end
    {%- else -%}
    {#- Other types (text, dates, …) as dbt's own postgres safe_cast does; dbt's unit-test fixtures call this
        macro too, since a project's `safe_cast` overrides dbt's. -#}
    cast({{ expr }} as {{ type }})
    {%- endif -%}
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

{#- True when text matches a regular expression that may itself be a column (service_name_rules.pattern). Write
    patterns every engine reads alike: literals, `[a-z]`, `*`, `?`, `|`, `( |$)`, `^`; no `\b` (a backspace on
    PostgreSQL), no look-arounds (RE2). -#}
{% macro matches_pattern(expr, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'lvsocial')(expr, pattern)) }}
{%- endmacro %}
{% macro default__matches_pattern(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}
{% macro postgres__matches_pattern(expr, pattern) -%}
    ({{ expr }} ~ {{ pattern }})
{%- endmacro %}
{% macro spark__matches_pattern(expr, pattern) -%}
    ({{ expr }} rlike {{ pattern }})
{%- endmacro %}
