{#- Rules for Latvian text as written in the sources. Each lives here once. Ingestion keeps text as written; the
    one Python copy is the letters table that folds headers (ingestion.common, tested equal to fold_lv's). -#}

{#- Lower case without diacritics and with single spaces: `Cēsu  Novads` and `Cesu novads` compare equal. -#}
{% macro fold_lv(expr) -%}
    trim({{ lvsocial.regexp_replace_all(
        "translate(lower(" ~ expr ~ "), 'āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ', 'acegiklnsuzacegiklnsuz')", '\\s+', ' ') }})
{%- endmacro %}

{#- A municipality name as written (`Ogres nov.`, `Rīgas pilsēta`, `Jekabpils pilseta`) to its lookup key. -#}
{% macro municipality_name_key(expr) -%}
    trim({{ lvsocial.regexp_replace_all(
        lvsocial.regexp_replace_all(
            "replace(" ~ lvsocial.fold_lv(expr) ~ ", 'nov.', 'novads')",
            '\\s*(republikas |valsts)?pilseta$', ''),
        '[\"“”„«»]', '') }})
{%- endmacro %}

{#- A service name as written to its lookup key, the one folding every service classification compares on:
    lower case without diacritics (fold_lv); a leading `cits:` / `citi:` / `cits -` removed (the register's "other,
    namely …"); quotes, brackets, full stops, commas and other punctuation made spaces; single spaces, trimmed.
    `cits: Ģimenes asistenta pakalpojums.` -> `gimenes asistenta pakalpojums`, `Grupu mājas (dzīvokļa)
    pakalpojums` -> `grupu majas dzivokla pakalpojums`. `cits` or `citi` alone stays: it is the generic "other". -#}
{% macro service_name_key(expr) -%}
    trim({{ lvsocial.regexp_replace_all(
        lvsocial.regexp_replace_all(
            lvsocial.regexp_replace_all(lvsocial.fold_lv(expr), '^(cits|citi)\\s*[:–-]\\s*', ''),
            '[.,;:!?\"“”„«»()\\[\\]{}/–—-]', ' '),
        '\\s+', ' ') }})
{%- endmacro %}

{#- A register address as written to the key of its place, the same in every format and on both sides of the
    2021 reform: folded; quotes, brackets and full stops dropped; the postcode (`LV-5045`), the municipality
    (`Ogres nov.`) and the place names after the street part (`Madliena, Madlienas pag.`, `Rīga`) cut off.
    `"Pansionāts", Madliena, Madlienas pag., Ogres nov., LV-5045` -> `pansionats`;
    `Dārza iela 12B, Bauska, Bauskas nov., LV-3901` and the legacy `Dārza iela 12B` -> `darza iela 12b`.
    The first part is always kept, so an address of place names only keeps its first one. -#}
{% macro address_place_key(expr) -%}
    trim({{ lvsocial.regexp_replace_all(
        lvsocial.regexp_replace_all(
            lvsocial.regexp_replace_all(
                lvsocial.regexp_replace_all(
                    lvsocial.regexp_replace_all(lvsocial.fold_lv(expr), '["“”„«»()\\[\\].]', ''),
                    '\\s*,\\s*', ', '),
                ',?\\s*lv[- ]?[0-9]{4}\\s*$', ''),
            '(, [^,0-9]*)+$', ''),
        '\\s+', ' ') }})
{%- endmacro %}

{#- A unit's name as compared across snapshots: folded, without quotes, so that `SIA “Ozoli”` and `SIA "OZOLI"`
    are one name and only a real renaming counts. -#}
{% macro provider_name_key(expr) -%}
    trim({{ lvsocial.regexp_replace_all(
        lvsocial.regexp_replace_all(lvsocial.fold_lv(expr), '["“”„«»]', ''), '\\s+', ' ') }})
{%- endmacro %}

{#- Legal statuses under which the provider is a natural person: the unit name is then personal data. -#}
{% macro is_natural_person(legal_status) -%}
    ({{ lvsocial.fold_lv(legal_status) }} in ('fiziska persona', 'pasnodarbinata persona', 'individualais komersants'))
{%- endmacro %}

{#- A stable pseudonym for a natural person's unit, so marts can count and follow it without the name. -#}
{% macro person_pseudonym(register_number) -%}
    {{ dbt.concat(["'Fiziska persona #'", dbt.right(dbt.hash(dbt.concat(["'lvsocial-provider-'", "cast(" ~ register_number ~ " as " ~ dbt.type_string() ~ ")"])), 8)]) }}
{%- endmacro %}

{#- A beneficiary as named in the EU-funds lists to the lookup key of the municipality it names, if any:
    `Ogres novada pašvaldība` -> `ogres novads` (a novads in the genitive, with whatever follows it);
    `Jūrmalas valstspilsētas pašvaldība`, `Rīgas pilsētas pašvaldība`, `Rīgas domes Labklājības departaments`
    -> `jurmalas`, `rigas` (a city keeps its genitive, which int_municipality_names_dated knows). Other
    beneficiaries (universities, agencies, NGOs) keep their folded name and match no municipality. -#}
{% macro beneficiary_municipality_name_key(expr) -%}
    {{ lvsocial.municipality_name_key(
        lvsocial.regexp_replace_all(
            lvsocial.regexp_replace_all(
                lvsocial.regexp_replace_all(lvsocial.fold_lv(expr), '\\s+novada(\\s.*)?$', ' novads'),
                '\\s+(republikas\\s+|valsts)?pilsetas(\\s.*)?$', ''),
            '\\s+domes?(\\s.*)?$', '')) }}
{%- endmacro %}

{#- An address (or a territorial unit's name as addresses write it) as the comma-separated segments that
    territorial units are compared on: folded; quotes, brackets and full stops dropped; `pagasts` written `pag`;
    single `, ` between segments, and one before the first and after the last, so that a unit matches a whole
    segment: `"Pansionāts", Madliena, Madlienas pag., Ogres nov., LV-5045` ->
    `, pansionats, madliena, madlienas pag, ogres nov, lv-5045,`, and `Madlienas pag.` -> `, madlienas pag,`. -#}
{% macro address_segments(expr) -%}
    replace({{ dbt.concat(["', '", lvsocial.regexp_replace_all(
        lvsocial.regexp_replace_all(lvsocial.fold_lv(expr), '["“”„«»()\\[\\].]', ''), '\\s*,\\s*', ', '), "','"]) }},
        ' pagasts,', ' pag,')
{%- endmacro %}
