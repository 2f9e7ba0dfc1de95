"""Expectations on the raw population table (the PxWeb file unpivoted): one value per area and year, labels parsed
into either a 2021 ATVK code or a pre-reform name with its validity date, plausible counts."""

from __future__ import annotations

from ingestion import reference

SUITE = "raw_population"


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        *(gxe.ExpectColumnToExist(column=c) for c in ("area_label", "year", "population", "_source_file",
                                                      "_source_row")),
        gxe.ExpectColumnValuesToNotBeNull(column="area_name"),
        gxe.ExpectColumnValuesToNotBeNull(column="year"),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=1990, max_value=2100),
        # A label is either coded (`LV0040000 Ogres novads`) or noted (`Ogres novads (līdz 01.07.2021.)`).
        gxe.ExpectColumnValuesToBeInSet(column="label_kind", value_set=["coded", "noted"]),
        gxe.ExpectColumnValuesToBeInSet(column="atvk_code", value_set=sorted(reference.atvk_codes())),
        gxe.ExpectColumnValuesToBeBetween(column="population", min_value=0, max_value=1_000_000),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["area_label", "year"]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_source_file", "_source_row", "year"]),
    ]


QUERY = """
select area_label, atvk_code, area_name, year, population, _source_file, _source_row,
       case when atvk_code is not null and valid_until is null then 'coded'
            when atvk_code is null and valid_until is not null then 'noted' end as label_kind
from raw.population
"""
