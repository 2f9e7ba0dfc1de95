{#- The one service-name classifier, used by the register, the EU-funds planned services and the statistics'
    fallback. For the distinct `service_name_key` values (folded by service_name_key) of `names` — a relation or a
    CTE of the calling model — it returns one row per key it can classify:
      1. an exact name of service_name_map, folded the same way, or else
      2. the first matching rule of service_name_rules (lowest `priority`; `pattern` is a regular expression on
         the folded key).
    Keys neither knows are left out: the caller keeps them as `unmapped` (never `other`, which only the generic
    `cits` / `citi` of the map gives). Columns: service_name_key, service_code, classified_by (`exact` / `rule`),
    rule_priority (the rule that matched; NULL for an exact name). -#}
{% macro classified_service_names(names) -%}
    select
        k.service_name_key,
        coalesce(e.service_code, r.service_code) as service_code,
        case when e.service_code is not null then 'exact' else 'rule' end as classified_by,
        case when e.service_code is null then r.rule_priority end as rule_priority
    from (select distinct service_name_key from {{ names }}) as k
    left join (
        select distinct
            {{ lvsocial.service_name_key('raw_name') }} as service_name_key,
            service_code
        from {{ ref('service_name_map') }}
    ) as e on e.service_name_key = k.service_name_key
    left join (
        select service_name_key, service_code, rule_priority
        from (
            select
                kr.service_name_key,
                rl.service_code,
                rl.priority as rule_priority,
                row_number() over (partition by kr.service_name_key order by rl.priority) as rule_rank
            from (select distinct service_name_key from {{ names }}) as kr
            inner join {{ ref('service_name_rules') }} as rl
                on {{ lvsocial.matches_pattern('kr.service_name_key', 'rl.pattern') }}
        ) as ranked
        where rule_rank = 1
    ) as r on r.service_name_key = k.service_name_key
    where coalesce(e.service_code, r.service_code) is not null
{%- endmacro %}
