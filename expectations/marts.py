"""Expectations on the key marts: grain, domains, ranges and the map of municipalities, checked on what BI reads.
Each suite is registered under `<schema>_<table>` with the query that reads its frame (portable SQL: it also runs
on PostgreSQL and Spark); orchestration/defs/quality.py runs each as a blocking asset check of that table."""

from __future__ import annotations

from expectations.runner import suite_registry
from ingestion import reference

SUITES, _suite = suite_registry()


@_suite("marts_fct_provider_services", """
    select f.snapshot_date, f.record_key, f.source_file, f.source_row, f.status, f.provider_key, f.service_key,
           f.capacity, f.register_number, f.municipality_key,
           m.valid_from as municipality_valid_from, m.valid_to as municipality_valid_to,
           c.is_current as current_is_current,
           f.snapshot_date between m.valid_from and m.valid_to as municipality_valid_on_date,
           f.territorial_unit, f.territorial_unit_type, f.territorial_unit_resolution,
           coalesce(case when f.territorial_unit_resolution = 'unresolved'
                         then f.territorial_unit is null and f.territorial_unit_type is null
                         else f.territorial_unit is not null and f.territorial_unit_type is not null end,
                    false) as territorial_unit_placed_or_flagged
    from marts.fct_provider_services f
    left join marts.dim_municipality m on m.municipality_key = f.municipality_key
    left join marts.dim_municipality c on c.municipality_key = f.current_municipality_key
""")
def fct_provider_services() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["snapshot_date", "record_key"]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source_file", "source_row"]),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["providing", "planning", "stopped"]),
        gxe.ExpectColumnValuesToNotBeNull(column="provider_key"),
        gxe.ExpectColumnValuesToNotBeNull(column="service_key"),
        gxe.ExpectColumnValuesToBeBetween(column="capacity", min_value=0, max_value=5000),
        gxe.ExpectColumnValuesToBeBetween(column="register_number", min_value=1),
        # Every row maps to a municipality version valid on its date (a few unresolved names are tolerated).
        gxe.ExpectColumnValuesToNotBeNull(column="municipality_key", mostly=0.99),
        gxe.ExpectColumnValuesToBeInSet(column="municipality_valid_on_date", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="current_is_current", value_set=[True]),
        # Every record is placed in a city, town or parish, or flagged `unresolved` with no unit: never a NULL
        # unit without the flag, nor a flag beside a unit.
        gxe.ExpectColumnValuesToNotBeNull(column="territorial_unit_resolution"),
        gxe.ExpectColumnValuesToBeInSet(column="territorial_unit_placed_or_flagged", value_set=[True]),
    ]


# The countries Latvia has a land border with, as the seed border_municipalities spells them.
NEIGHBOURS = ("Belarus", "Estonia", "Lithuania", "Russia")
_COUNTRY = f"(?:{'|'.join(NEIGHBOURS)})"


@_suite("marts_dim_municipality", """
    select *, coalesce(is_border = (borders is not null and borders <> ''), false) as border_flag_consistent
    from marts.dim_municipality
""")
def dim_municipality() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="municipality_key"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["atvk_code", "valid_from"]),
        gxe.ExpectColumnValuesToMatchRegex(column="atvk_code", regex=r"^\d{7}$"),
        gxe.ExpectColumnValuesToBeInSet(column="municipality_type",
                                        value_set=["republikas pilsēta", "novads", "valstspilsēta"]),
        gxe.ExpectColumnValuesToNotBeNull(column="successor_atvk_code"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="valid_to", column_B="valid_from", or_equal=True),
        gxe.ExpectColumnValuesToBeInSet(column="planning_region", value_set=[
            "Rīgas plānošanas reģions", "Vidzemes plānošanas reģions", "Kurzemes plānošanas reģions",
            "Zemgales plānošanas reģions", "Latgales plānošanas reģions"]),
        # A border municipality names its neighbours, `; `-separated, and only Latvia's; no other names any.
        gxe.ExpectColumnValuesToBeInSet(column="border_flag_consistent", value_set=[True]),
        gxe.ExpectColumnValuesToMatchRegex(column="borders", regex=rf"^{_COUNTRY}(; {_COUNTRY})*$"),
    ]


@_suite("marts_dim_provider", "select * from marts.dim_provider")
def dim_provider() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="provider_key"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["register_number", "valid_from"]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="valid_to", column_B="valid_from", or_equal=True),
        gxe.ExpectColumnValuesToBeInSet(column="provider_sector",
                                        value_set=["municipal", "state", "ngo", "private", "religious"]),
        # Natural persons never appear by name.
        gxe.ExpectColumnValuesToMatchRegex(column="provider_name", regex=r"^Fiziska persona #[0-9a-f]{8}$",
                                           row_condition='is_natural_person == True', condition_parser="pandas"),
    ]


def _converted(frame_eur: str, frame_original: str) -> str:
    """SQL: the EUR amount differs from the original converted at the fixed rate (seed `currency_rates`,
    LVL / 0.702804) by over a cent."""
    rate = reference.lvl_per_eur()
    return (f"case when original_currency = 'LVL' then abs({frame_eur} - {frame_original} / {rate}) > 0.01 "
            f"when original_currency = 'EUR' then abs({frame_eur} - {frame_original}) > 0.005 else false end")


_VALID_ON = """
    left join marts.dim_municipality m on m.municipality_key = f.municipality_key
"""


@_suite("marts_fct_esf_projects", f"""
    select f.*, {_converted('total_cost_eur', 'total_cost_original')} as total_cost_misconverted,
           {_converted('eu_funding_eur', 'eu_funding_original')} as eu_funding_misconverted,
           f.municipality_key is null or f.start_date between m.valid_from and m.valid_to as municipality_valid_on_start
    from marts.fct_esf_projects f {_VALID_ON}
""")
def fct_esf_projects() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="project_number"),
        gxe.ExpectColumnValuesToBeInSet(column="programming_period", value_set=["2007_2013", "2014_2020", "2021_2027"]),
        gxe.ExpectColumnValuesToBeInSet(column="original_currency", value_set=["LVL", "EUR"]),
        gxe.ExpectColumnValuesToBeBetween(column="total_cost_eur", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="total_cost_eur", column_B="eu_funding_eur",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        # EUR = LVL / 0.702804 where converted, EUR unchanged otherwise.
        gxe.ExpectColumnValuesToBeInSet(column="total_cost_misconverted", value_set=[False]),
        gxe.ExpectColumnValuesToBeInSet(column="eu_funding_misconverted", value_set=[False]),
        gxe.ExpectColumnValuesToBeInSet(column="municipality_valid_on_start", value_set=[True]),
    ]


@_suite("marts_fct_esf_planned_services", """
    select f.*, p.project_number is not null as project_exists
    from marts.fct_esf_planned_services f
    left join marts.fct_esf_projects p on p.project_number = f.project_number
""")
def fct_esf_planned_services() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="planned_service_key"),
        gxe.ExpectColumnValuesToBeInSet(column="novelty", value_set=["new", "improved"]),
        gxe.ExpectColumnValuesToNotBeNull(column="service_key"),
        gxe.ExpectColumnValuesToBeBetween(column="planned_clients", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="project_exists", value_set=[True]),
    ]


@_suite("marts_fct_municipal_expenditure", f"""
    select f.*, {_converted('executed_eur', 'executed_original')} as executed_misconverted,
           f.municipality_key is null
             or make_date(f.year, 12, 31) >= m.valid_from and make_date(f.year, 1, 1) <= m.valid_to as valid_in_year
    from marts.fct_municipal_expenditure f {_VALID_ON}
""")
def fct_municipal_expenditure() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "municipality_key", "function_code"]),
        gxe.ExpectColumnValuesToMatchRegex(column="function_code", regex=r"^10\.\d00$|^10\.\d\d0$"),
        gxe.ExpectColumnValuesToBeBetween(column="executed_eur", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="original_currency", value_set=["LVL", "EUR"]),
        gxe.ExpectColumnValuesToBeInSet(column="executed_misconverted", value_set=[False]),
        gxe.ExpectColumnValuesToBeInSet(column="valid_in_year", value_set=[True]),
        gxe.ExpectColumnValuesToNotBeNull(column="current_municipality_key"),
    ]


@_suite("marts_fct_social_service_statistics", f"""
    select f.*, {_converted('expenditure_eur', 'expenditure_original')} as expenditure_misconverted
    from marts.fct_social_service_statistics f
""")
def fct_social_service_statistics() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "municipality_key", "service_key", "provision"]),
        gxe.ExpectColumnValuesToBeBetween(column="clients", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="expenditure_eur", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="expenditure_misconverted", value_set=[False]),
        gxe.ExpectColumnValuesToNotBeNull(column="service_key"),
    ]


@_suite("marts_fct_social_work_staffing", """
    select f.*, f.specialists_per_1000 is null or f.meets_norm = (f.specialists_per_1000 >= 1) as norm_consistent
    from marts.fct_social_work_staffing f
""")
def fct_social_work_staffing() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "municipality_key"]),
        gxe.ExpectColumnValuesToBeBetween(column="social_work_specialists", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="population", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="norm_consistent", value_set=[True]),
    ]


@_suite("marts_dim_service", "select * from marts.dim_service")
def dim_service() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="service_code"),
        gxe.ExpectColumnValuesToBeInSet(column="care_setting", value_set=["institutional", "community", "other"]),
        gxe.ExpectColumnValuesToBeInSet(column="law_kind", value_set=[
            "sociālais darbs", "karitatīvais sociālais darbs", "sociālā aprūpe", "sociālā rehabilitācija",
            "profesionālā rehabilitācija", None]),
    ]


@_suite("marts_fct_long_term_care_clients", """
    select f.*, coalesce(make_date(f.year, 12, 31) >= m.valid_from and make_date(f.year, 1, 1) <= m.valid_to,
                         false) as valid_in_year
    from marts.fct_long_term_care_clients f
    left join marts.dim_municipality m on m.municipality_key = f.municipality_key
""")
def fct_long_term_care_clients() -> list:
    import great_expectations.expectations as gxe

    from ingestion.budgets import LTC_AGE_GROUPS

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "municipality_key", "age_group"]),
        gxe.ExpectColumnValuesToBeInSet(column="age_group", value_set=sorted(set(LTC_AGE_GROUPS.values()))),
        gxe.ExpectColumnValuesToNotBeNull(column="clients_year_end"),
        gxe.ExpectColumnValuesToBeBetween(column="clients_year_end", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="new_clients", min_value=0),
        gxe.ExpectColumnValuesToBeInSet(column="valid_in_year", value_set=[True]),
        gxe.ExpectColumnValuesToNotBeNull(column="current_municipality_key"),
    ]


@_suite("marts_fct_programme_targets", """
    select f.*, s.service_key is not null as service_exists
    from marts.fct_programme_targets f
    left join marts.dim_service s on s.service_key = f.service_key
""")
def fct_programme_targets() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="target_key"),
        gxe.ExpectColumnValuesToBeInSet(column="planning_region", value_set=sorted(reference.planning_regions())),
        gxe.ExpectColumnValuesToBeInSet(column="unit", value_set=["providers", "places", "clients", "projects"]),
        gxe.ExpectColumnValuesToNotBeNull(column="target_value"),
        gxe.ExpectColumnValuesToBeBetween(column="target_value", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="baseline_value", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="target_year", column_B="baseline_year",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnValuesToBeInSet(column="service_exists", value_set=[True]),
    ]
