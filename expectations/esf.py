"""Expectations on the raw EU-funds tables (CFLA project lists, APIA projects and planned services): what every
loaded row must satisfy. One suite per raw table, each with the query that reads the frame it validates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LINEAGE = ("_source_file", "_source_row", "_programming_period")


@dataclass(frozen=True)
class Suite:
    name: str
    query: str
    expectations: Callable[[], list]


def _common(gxe, columns: tuple[str, ...]) -> list:
    return [gxe.ExpectColumnToExist(column=c) for c in columns + LINEAGE] + [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_source_file", "_source_row"]),
        gxe.ExpectColumnValuesToNotBeNull(column="_programming_period"),
    ]


def _amounts(gxe) -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(column="total_cost", min_value=0, max_value=1_000_000_000),
        gxe.ExpectColumnValuesToBeBetween(column="eu_funding", min_value=0, max_value=1_000_000_000),
        # EU co-financing is part of the total cost.
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="total_cost", column_B="eu_funding", or_equal=True,
                                                    ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end_date", column_B="start_date", or_equal=True,
                                                    ignore_row_if="either_value_is_missing"),
    ]


def cfla_expectations() -> list:
    import great_expectations.expectations as gxe

    return _common(gxe, ("project_number", "measure_code", "title", "beneficiary_name", "total_cost")) + _amounts(
        gxe) + [
        gxe.ExpectColumnValuesToNotBeNull(column="project_number"),
        gxe.ExpectColumnValuesToMatchRegex(column="measure_code", regex=r"^\d+(\.\d+){1,4}$"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_programming_period", "project_number"]),
        gxe.ExpectColumnValuesToBeInSet(column="_programming_period", value_set=["2014_2020", "2021_2027"]),
        gxe.ExpectColumnValuesToNotBeNull(column="beneficiary_name"),
        gxe.ExpectColumnValuesToBeInSet(column="selection_code", value_set=["I", "A"]),
        gxe.ExpectColumnValuesToBeBetween(column="call_year", min_value=2014, max_value=2030),
    ]


def apia_project_expectations() -> list:
    import great_expectations.expectations as gxe

    return _common(gxe, ("project_number", "round", "municipality_text", "currency")) + _amounts(gxe) + [
        gxe.ExpectColumnValuesToMatchRegex(column="project_number",
                                           regex=r"^[0-9A-Z]+/\d+(\.\d+)+/\d{2}/(APIA|IPIA)/[^/]+/\d+$"),
        gxe.ExpectColumnValuesToBeUnique(column="project_number"),
        gxe.ExpectColumnValuesToBeBetween(column="round", min_value=1, max_value=10),
        gxe.ExpectColumnValuesToNotBeNull(column="municipality_text"),
        gxe.ExpectColumnValuesToBeInSet(column="currency", value_set=["LVL", "EUR"]),
        gxe.ExpectColumnValuesToBeBetween(column="call_year", min_value=2007, max_value=2015),
    ]


def apia_service_expectations() -> list:
    import great_expectations.expectations as gxe

    return _common(gxe, ("project_number", "service_name", "novelty", "is_innovative")) + [
        gxe.ExpectColumnValuesToNotBeNull(column="project_number"),
        gxe.ExpectColumnValuesToNotBeNull(column="service_name"),
        gxe.ExpectColumnValuesToBeInSet(column="novelty", value_set=["new", "improved"]),
        gxe.ExpectColumnValuesToBeBetween(column="planned_clients", min_value=0, max_value=10_000),
        # Every planned service belongs to a project of the other sheet.
        gxe.ExpectColumnValuesToBeInSet(column="has_project", value_set=[True]),
    ]


CFLA = Suite("raw_esf_cfla_projects", """
select project_number, measure_code, call_year, selection_code, title, beneficiary_name,
       cast(total_cost as double) as total_cost, cast(eu_funding as double) as eu_funding, start_date, end_date,
       _source_file, _source_row, _programming_period
from raw.esf_cfla_projects
""", cfla_expectations)

APIA_PROJECTS = Suite("raw_esf_apia_projects", """
select project_number, call_year, round, municipality_text, currency,
       cast(total_cost as double) as total_cost, cast(eu_funding as double) as eu_funding, start_date, end_date,
       _source_file, _source_row, _programming_period
from raw.esf_apia_projects
""", apia_project_expectations)

APIA_SERVICES = Suite("raw_esf_apia_planned_services", """
select s.project_number, s.service_name, s.novelty, s.is_innovative, s.planned_clients,
       exists (select 1 from raw.esf_apia_projects p where p.project_number = s.project_number) as has_project,
       s._source_file, s._source_row, s._programming_period
from raw.esf_apia_planned_services s
""", apia_service_expectations)
