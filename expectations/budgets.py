"""Expectations on the raw municipal budget, social-service statistics, staffing and long-term care clients
tables: what every loaded row
must satisfy (blocking), and what a plausible budget looks like (a warning)."""

from __future__ import annotations

from ingestion import reference

EXPENDITURE_SUITE = "raw_budget_expenditure"
EXPENDITURE_PLAUSIBLE_SUITE = "raw_budget_expenditure_plausible"
STATISTICS_SUITE = "raw_social_service_statistics"
STAFFING_SUITE = "raw_social_service_staffing"
LONG_TERM_CARE_SUITE = "raw_long_term_care_clients"
# Executed against planned: a municipality may overspend its plan, but not by half again.
MAX_EXECUTED_TO_PLANNED = 1.5
GROUP_TOTAL_CODE = "10.000"

_LINEAGE = ("_source_file", "_source_row", "_year")


def _common(gxe, key: list[str]) -> list:
    """Every yearly table: lineage present, the year as written is the partition's, a known ATVK code, one row
    per key and year, one row per file row."""
    return [
        *(gxe.ExpectColumnToExist(column=c) for c in (*_LINEAGE, "year", "atvk_code")),
        gxe.ExpectColumnValuesToNotBeNull(column="_year"),
        gxe.ExpectColumnValuesToNotBeNull(column="atvk_code"),
        gxe.ExpectColumnValuesToMatchRegex(column="atvk_code", regex=r"^\d{7}$"),
        gxe.ExpectColumnValuesToBeInSet(column="atvk_code", value_set=sorted(reference.atvk_codes())),
        gxe.ExpectColumnValuesToBeInSet(column="year_is_partition", value_set=[True]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_year", *key]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_source_file", "_source_row"]),
    ]


def _currency(gxe) -> list:
    """Lats up to 2013, euro from 2014: an amount in the other currency means a mislabelled file."""
    return [
        gxe.ExpectColumnValuesToBeInSet(column="currency_code", value_set=["LVL", "EUR"]),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="currency_code", column_B="currency_of_year",
                                            ignore_row_if="either_value_is_missing"),
    ]


def expenditure_expectations() -> list:
    import great_expectations.expectations as gxe

    return _common(gxe, ["atvk_code", "function_code"]) + _currency(gxe) + [
        gxe.ExpectColumnValuesToNotBeNull(column="function_code"),
        gxe.ExpectColumnValuesToBeInSet(column="function_code", value_set=sorted(reference.function_codes())),
        gxe.ExpectColumnValuesToNotBeNull(column="executed_amount"),
        gxe.ExpectColumnValuesToBeBetween(column="executed_amount", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="planned_amount", min_value=0),
    ]


def expenditure_plausible_expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(column="executed_to_planned", min_value=0,
                                          max_value=MAX_EXECUTED_TO_PLANNED, mostly=0.99),
        # The group total line (10.000) is the sum of its subcodes, as printed (so it is never added to them).
        gxe.ExpectColumnValuesToBeBetween(column="group_total_gap", min_value=0, max_value=1.0),
    ]


def statistics_expectations() -> list:
    import great_expectations.expectations as gxe

    return _common(gxe, ["atvk_code", "service_name"]) + _currency(gxe) + [
        gxe.ExpectColumnValuesToNotBeNull(column="service_name"),
        gxe.ExpectColumnValuesToBeBetween(column="clients_count", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="expenditure_amount", min_value=0),
    ]


def staffing_expectations() -> list:
    import great_expectations.expectations as gxe

    return _common(gxe, ["atvk_code"]) + [
        gxe.ExpectColumnValuesToNotBeNull(column="social_work_specialists_count"),
        gxe.ExpectColumnValuesToBeBetween(column="social_work_specialists_count", min_value=0, max_value=5000),
        gxe.ExpectColumnValuesToBeBetween(column="other_staff_count", min_value=0, max_value=20000),
    ]


def long_term_care_expectations() -> list:
    import great_expectations.expectations as gxe

    from ingestion.budgets import LTC_AGE_GROUPS

    return _common(gxe, ["atvk_code", "age_group_code"]) + [
        gxe.ExpectColumnValuesToNotBeNull(column="age_group_code"),
        gxe.ExpectColumnValuesToBeInSet(column="age_group_code", value_set=sorted(set(LTC_AGE_GROUPS.values()))),
        gxe.ExpectColumnValuesToNotBeNull(column="clients_year_end_count"),
        gxe.ExpectColumnValuesToBeBetween(column="clients_year_end_count", min_value=0, max_value=20000),
        gxe.ExpectColumnValuesToBeBetween(column="new_clients_count", min_value=0, max_value=20000),
    ]


_YEAR_IS_PARTITION = "try_cast(trim(year) as integer) = _year as year_is_partition"
# The rule of ingestion.reference.currency_of_year, as a column of the checked frame.
_CURRENCY_OF_YEAR = (f"case when _year < {reference.euro_from_year()} then 'LVL' else 'EUR' end "
                     "as currency_of_year")

# The frames the suites validate: raw columns plus a few derived for checking.
EXPENDITURE_QUERY = f"""
select year, atvk_code, function_code, currency_code, planned_amount, executed_amount, _source_file, _source_row,
       _year, {_YEAR_IS_PARTITION}, {_CURRENCY_OF_YEAR}
from raw.budget_expenditure
"""
EXPENDITURE_PLAUSIBLE_QUERY = f"""
select atvk_code, function_code, _year,
       cast(executed_amount / nullif(planned_amount, 0) as double) as executed_to_planned,
       case when function_code = '{GROUP_TOTAL_CODE}' then cast(abs(executed_amount - sum(
           case when function_code <> '{GROUP_TOTAL_CODE}' then executed_amount end)
           over (partition by _year, atvk_code)) as double) end as group_total_gap
from raw.budget_expenditure
"""
STATISTICS_QUERY = f"""
select year, atvk_code, service_name, currency_code, clients_count, expenditure_amount, _source_file, _source_row,
       _year, {_YEAR_IS_PARTITION}, {_CURRENCY_OF_YEAR}
from raw.social_service_statistics
"""
STAFFING_QUERY = f"""
select year, atvk_code, social_work_specialists_count, other_staff_count, _source_file, _source_row, _year,
       {_YEAR_IS_PARTITION}
from raw.social_service_staffing
"""
LONG_TERM_CARE_QUERY = f"""
select year, atvk_code, age_group_code, clients_year_end_count, new_clients_count, _source_file, _source_row, _year,
       {_YEAR_IS_PARTITION}
from raw.long_term_care_clients
"""
