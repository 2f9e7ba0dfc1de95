-- Every raw service name seen in the real register (the list in docs/inputs.md#register-service-wording) maps to a
-- canonical service through the classifier the models use (classified_service_names: folding, service_name_map,
-- then service_name_rules). Returns the names that do not.
{{ config(meta={'dagster': {'ref': {'name': 'service_name_rules'}}}) }}  -- the Dagster check's asset

with

contract_names as (

    select 'ilgstošās sociālās aprūpes un sociālās rehabilitācijas institūcija' as raw_name
    union all select 'ilgstoša sociālā aprūpe un sociālā rehabilitācija'
    union all select 'dienas aprūpes centrs'
    union all select 'Dienas aprūpes centrs'
    union all select 'sociālā rehabilitācija'
    union all select 'Sociālās rehabilitācijas institūcija'
    union all select 'aprūpe mājās'
    union all select 'Aprūpe mājās'
    union all select 'specializētās darbnīcas'
    union all select 'Grupu dzīvoklis'
    union all select 'atelpas brīdis'
    union all select 'Krīzes centrs'
    union all select 'pansija'
    union all select 'Sociālā darba pakalpojums'
    union all select 'sociālais, tai skaitā pašvaldības sociālais dienests'
    union all select 'cits: dienas centrs'
    union all select 'citi: īslaicīgā sociālā aprūpe'

),

folded as (

    select raw_name, {{ lvsocial.service_name_key('raw_name') }} as service_name_key
    from contract_names

),

mapped as (

    {{ lvsocial.classified_service_names('folded') }}

)

select f.raw_name
from folded as f
left join mapped as m on m.service_name_key = f.service_name_key
where m.service_name_key is null
