{#- The one dated match-and-rank of municipalities: each row of `rows` (keyed by `keys`) to the one municipality
    version its name or ATVK code denotes, as a select of the keys and `municipality_key` (rows without a match
    are absent: the models left join it). The dated tables say which versions a name or a code can mean on a day
    and with which priority (int_municipality_names_dated, int_municipality_codes_dated); this macro picks one.

    - by name on a day (`name_key`, `on_date`): versions valid that day, best priority first, then the smallest
      key, so that a name two versions share resolves the same on every engine;
    - by code in a year (`atvk_code`, `year`): versions valid on any day of the year (a yearly file), best
      priority first, then the latest version (the 2021 file's codes land on the post-reform map).

    Expressions (`name_key`, `atvk_code`, `on_date`, `year`, `where`) are over the rows, aliased `r`. -#}
{% macro resolve_municipality(rows, keys, name_key=none, atvk_code=none, on_date=none, year=none, where=none) %}
    {%- if (name_key is none) == (atvk_code is none) -%}
        {{ exceptions.raise_compiler_error("resolve_municipality: give either name_key (with on_date) or atvk_code (with year)") }}
    {%- endif -%}
    {%- if name_key is not none and on_date is none or atvk_code is not none and year is none -%}
        {{ exceptions.raise_compiler_error("resolve_municipality: a name needs on_date, a code needs year") }}
    {%- endif %}
    select {{ keys | join(', ') }}, municipality_key
    from (
        select
            {%- for key in keys %}
            r.{{ key }},
            {%- endfor %}
            d.municipality_key,
            row_number() over (
                partition by {% for key in keys %}r.{{ key }}{{ ", " if not loop.last }}{% endfor %}
                {%- if name_key is not none %}
                order by d.match_priority, d.municipality_key
                {%- else %}
                order by d.match_priority, d.valid_from desc
                {%- endif %}
            ) as match_rank
        from {{ rows }} as r
        {%- if name_key is not none %}
        inner join {{ ref('int_municipality_names_dated') }} as d
            on d.name_key = {{ name_key }}
            and {{ on_date }} between d.valid_from and d.valid_to
        {%- else %}
        inner join {{ ref('int_municipality_codes_dated') }} as d
            on d.atvk_code = {{ atvk_code }}
            and d.valid_from <= {{ lvsocial.year_end(year) }}
            and d.valid_to >= {{ lvsocial.year_start(year) }}
        {%- endif %}
        {%- if where %}
        where {{ where }}
        {%- endif %}
    ) as ranked
    where match_rank = 1
{% endmacro %}
