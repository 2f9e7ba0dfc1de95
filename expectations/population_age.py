"""Expectations on the raw population-by-age table (the PxWeb-style file by territory and age group, unpivoted):
labels parsed into a 2021 ATVK code (and a unit inside it), known age groups, one value per territory × age group ×
year, plausible counts, and the age groups of every territory and year adding up to its `Pavisam` (total)."""

from __future__ import annotations

from ingestion import reference
from ingestion.population_age import AGE_GROUPS, GROUPS

SUITE = "raw_population_by_age"


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        *(gxe.ExpectColumnToExist(column=c) for c in ("area_label", "age_group", "year", "population",
                                                      "_source_file", "_source_row")),
        gxe.ExpectColumnValuesToNotBeNull(column="atvk_code"),
        gxe.ExpectColumnValuesToBeInSet(column="atvk_code", value_set=sorted(reference.atvk_codes())),
        gxe.ExpectColumnValuesToBeInSet(column="age_group", value_set=sorted(set(AGE_GROUPS.values()))),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=1990, max_value=2100),
        gxe.ExpectColumnValuesToBeBetween(column="population", min_value=0, max_value=1_000_000),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["area_label", "age_group", "year"]),
        # 0–17 + 18–64 + 65+ = Pavisam, for every territory and year that gives all four.
        gxe.ExpectColumnValuesToBeBetween(column="groups_minus_total", min_value=0, max_value=0),
    ]


QUERY = f"""
select p.area_label, p.atvk_code, p.age_group, p.year, p.population, p._source_file, p._source_row,
       s.groups_minus_total
from raw.population_by_age p
left join (
    select area_label, year,
           sum(case when age_group in ({", ".join(f"'{g}'" for g in GROUPS)}) then population end)
           - max(case when age_group = 'total' then population end) as groups_minus_total
    from raw.population_by_age
    group by area_label, year
    having count(population) = 4
) s on s.area_label = p.area_label and s.year = p.year
"""
