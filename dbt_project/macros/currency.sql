{#- An amount in lats or euro to euro, at the fixed rate 1 EUR = 0.702804 LVL (seed currency_rates, joined as
    `rates`): LVL / 0.702804, EUR as is, any other currency NULL. Rounded to cents. -#}
{% macro to_eur(amount, rates) -%}
    {{ return(adapter.dispatch('to_eur', 'lvsocial')(amount, rates)) }}
{%- endmacro %}
{% macro default__to_eur(amount, rates) -%}
    cast(round(
        {{ amount }} / case {{ rates }}.currency when 'EUR' then 1.0 when 'LVL' then {{ rates }}.lvl_per_eur end,
        2) as decimal(18, 2))
{%- endmacro %}
{#- PostgreSQL rounds only numeric to a number of places: the double quotient becomes numeric first. -#}
{% macro postgres__to_eur(amount, rates) -%}
    cast(round(cast(
        {{ amount }} / case {{ rates }}.currency when 'EUR' then 1.0 when 'LVL' then {{ rates }}.lvl_per_eur end
        as numeric), 2) as decimal(18, 2))
{%- endmacro %}
