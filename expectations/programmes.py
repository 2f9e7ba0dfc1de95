"""Expectations on the raw programme result indicators: a known planning region, service type and unit, years of
four digits with the baseline no later than the target, values not negative, one row per region × programme ×
indicator × service type."""

from __future__ import annotations

from ingestion import reference
from ingestion.programmes import UNITS

SUITE = "raw_programme_targets"


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        *(gxe.ExpectColumnToExist(column=c) for c in ("planning_region", "programme", "indicator", "service_code",
                                                      "unit_code", "_source_file", "_source_row")),
        gxe.ExpectColumnValuesToBeInSet(column="planning_region", value_set=sorted(reference.planning_regions())),
        gxe.ExpectColumnValuesToBeInSet(column="service_code", value_set=sorted(reference.service_types().values())),
        gxe.ExpectColumnValuesToBeInSet(column="unit_code", value_set=sorted(set(UNITS.values()))),
        gxe.ExpectColumnValuesToNotBeNull(column="target_value"),
        gxe.ExpectColumnValuesToBeBetween(column="target_value", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="baseline_value", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="target_year_value", min_value=2000, max_value=2050),
        gxe.ExpectColumnValuesToBeBetween(column="years_to_target", min_value=0),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["planning_region", "programme", "indicator", "service_code"]),
    ]


QUERY = """
select planning_region, programme, indicator, service_code, unit_code, baseline_value, target_value,
       target_year_value, target_year_value - baseline_year_value as years_to_target, _source_file, _source_row
from raw.programme_targets
"""
