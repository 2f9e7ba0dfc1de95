-- Every keyword rule of service_name_rules classifies its own example wording, through the classifier the models
-- use, to its own code and by itself: an example the exact map already knows, or that an earlier rule takes,
-- shows a rule that never fires or a rule order that hides it. No rule may give `other` or `unmapped`: `other` is
-- the generic `cits` alone, and a wording no rule knows stays unmapped. Returns the rules that fail.
{{ config(meta={'dagster': {'ref': {'name': 'service_name_rules'}}}) }}  -- the Dagster check's asset

with

examples as (

    select
        priority,
        service_code as expected_code,
        example,
        {{ lvsocial.service_name_key('example') }} as service_name_key
    from {{ ref('service_name_rules') }}

),

classes as (

    {{ lvsocial.classified_service_names('examples') }}

)

select
    e.priority,
    e.example,
    e.expected_code,
    c.service_code,
    c.classified_by,
    c.rule_priority
from examples as e
left join classes as c on c.service_name_key = e.service_name_key
where e.expected_code in ('other', 'unmapped')
    or c.service_code is null
    or c.service_code <> e.expected_code
    or c.classified_by <> 'rule'
    or c.rule_priority <> e.priority
