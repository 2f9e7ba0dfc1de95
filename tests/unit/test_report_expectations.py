"""The Great Expectations suites on the coverage and programme reports and on the population by age
(expectations/reports.py) catch what they are meant to: each suite's own query runs on a small DuckDB file holding
purpose-made marts and reports, first as the models would build them (the suite passes), then with one fault put
in (the suite fails on that expectation and no other)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from expectations.reports import SUITES
from expectations.runner import validate_frame
from tests.small_warehouse import read_frame, write_tables

S1, S2 = dt.date(2023, 1, 2), dt.date(2024, 1, 2)


def _check(tmp_path: Path, suite: str, tables: dict[str, list[dict]]) -> set[str]:
    """The columns (or, without one, expectation types) the suite fails on, validating what its query reads from a
    new file of these tables."""
    query, build = SUITES[suite]
    path = write_tables(tmp_path / f"{len(list(tmp_path.iterdir()))}.duckdb", tables)
    return {f["column"] or f["expectation"] for f in validate_frame(read_frame(path, query), suite, build).failed}


# -- population by age ----------------------------------------------------------------------------------------------

def _ages(total=100, young=20, working=60, old=20, **over) -> dict:
    return {"year": 2023, "municipality_key": "m1", "current_municipality_key": "m1", "area_level": "unit",
            "territorial_unit": "Madlienas pagasts", "population": total, "population_0_17": young,
            "population_18_64": working, "population_65plus": old, **over}


def test_population_by_age_groups_add_up_to_the_total(tmp_path):
    municipality = _ages(total=1000, young=200, working=600, old=200, area_level="municipality",
                         territorial_unit=None)
    partial = _ages(territorial_unit="Ogre", young=None)  # a group not given: nothing to add up
    good = [municipality, _ages(), partial]
    assert _check(tmp_path, "intermediate_int_population_by_age", {"intermediate.int_population_by_age": good}) \
        == set()
    bad = [municipality, _ages(old=21), partial]
    assert _check(tmp_path, "intermediate_int_population_by_age", {"intermediate.int_population_by_age": bad}) \
        == {"groups_minus_total"}
    older = [municipality, _ages(total=100, young=0, working=0, old=100), _ages(territorial_unit="Ogre",
                                                                               total=10, young=None, old=11)]
    assert _check(tmp_path, "intermediate_int_population_by_age", {"intermediate.int_population_by_age": older}) \
        == {"expect_column_pair_values_a_to_be_greater_than_b"}


# -- service coverage -----------------------------------------------------------------------------------------------

def _coverage_marts() -> dict[str, list[dict]]:
    return {
        "marts.fct_provider_services": [{"snapshot_date": S1}, {"snapshot_date": S2}],
        "marts.dim_municipality": [
            {"municipality_key": "ogre", "is_current": True, "municipality_type": "novads"},
            {"municipality_key": "riga", "is_current": True, "municipality_type": "valstspilsēta"},
            {"municipality_key": "ogre_2009", "is_current": False, "municipality_type": "novads"}],
        "marts.dim_service": [{"report_group": "home_care"}, {"report_group": "day_centres"},
                              {"report_group": "home_care"}],
    }


def _coverage_row(snapshot, key, group, **over) -> dict:
    row = {"snapshot_date": snapshot, "current_municipality_key": key, "service_group": group, "providers": 1,
           "places": 10, "population": 1000, "population_65plus": 200, "places_per_1000_65plus": 50.0,
           "territorial_units": 3 if key == "ogre" else 1, "territorial_units_with_service": 1,
           "rural_population_without_service": 300 if key == "ogre" else 0}
    return {**row, **over}


def _coverage(rows=None, listed=None) -> dict[str, list[dict]]:
    rows = rows or [_coverage_row(s, k, g) for s in (S1, S2) for k in ("ogre", "riga")
                    for g in ("home_care", "day_centres")]
    # Ogre's two units without each group, as rpt_territories_without_services lists them.
    listed = listed if listed is not None else [
        {"snapshot_date": s, "current_municipality_key": "ogre", "service_group": g, "territorial_unit": u}
        for s in (S1, S2) for g in ("home_care", "day_centres") for u in ("Madlienas pagasts", "Ķeipenes pagasts")]
    return {**_coverage_marts(), "reporting.rpt_service_coverage": rows,
            "reporting.rpt_territories_without_services": listed}


def test_service_coverage_as_built_passes(tmp_path):
    assert _check(tmp_path, "reporting_rpt_service_coverage", _coverage()) == set()


def test_service_coverage_misses_a_row_or_holds_one_outside_the_grid(tmp_path):
    full = _coverage()["reporting.rpt_service_coverage"]
    # Riga's day centres dropped in the second snapshot, and a row for a pre-reform municipality instead: the row
    # count per snapshot is still right, the grid is not.
    swapped = [r for r in full if not (r["snapshot_date"] == S2 and r["current_municipality_key"] == "riga"
                                       and r["service_group"] == "day_centres")]
    swapped.append(_coverage_row(S2, "ogre_2009", "day_centres", territorial_units=0,
                                 territorial_units_with_service=0, rural_population_without_service=0))
    assert _check(tmp_path, "reporting_rpt_service_coverage", _coverage(swapped)) == {"in_report", "in_grid"}
    # A snapshot of the fact with no row at all in the report.
    first_only = [r for r in full if r["snapshot_date"] == S1]
    listed = [r for r in _coverage()["reporting.rpt_territories_without_services"] if r["snapshot_date"] == S1]
    assert _check(tmp_path, "reporting_rpt_service_coverage", _coverage(first_only, listed)) == {"in_report"}


def test_service_coverage_figures_that_cannot_be(tmp_path):
    rows = [_coverage_row(S1, "ogre", "home_care", population_65plus=1200, places_per_1000_65plus=8.33),
            _coverage_row(S1, "ogre", "day_centres", places_per_1000_65plus=5.0),
            _coverage_row(S1, "riga", "home_care", territorial_units_with_service=2),
            _coverage_row(S1, "riga", "day_centres", providers=0),
            *(_coverage_row(S2, k, g) for k in ("ogre", "riga") for g in ("home_care", "day_centres"))]
    assert _check(tmp_path, "reporting_rpt_service_coverage", _coverage(rows)) == {
        "expect_column_pair_values_a_to_be_greater_than_b",  # 65+ above all ages; units with service above units
        "places_per_1000_consistent", "units_only_with_providers"}


def test_service_coverage_and_the_list_of_territories_agree(tmp_path):
    listed = _coverage()["reporting.rpt_territories_without_services"]
    assert _check(tmp_path, "reporting_rpt_service_coverage", _coverage(listed=listed[1:])) \
        == {"units_without_service_listed"}
    riga = {**listed[0], "current_municipality_key": "riga", "territorial_unit": "Rīga"}
    assert _check(tmp_path, "reporting_rpt_service_coverage", _coverage(listed=[*listed, riga])) \
        == {"units_without_service_listed"}


# -- territories without services -----------------------------------------------------------------------------------

def _territories(listed_units: list[tuple[str, str]]) -> dict[str, list[dict]]:
    fact = [{"snapshot_date": S1, "current_municipality_key": "ogre", "territorial_unit": unit, "status": status,
             "service_key": key}
            for unit, status, key in (("Madlienas pagasts", "providing", "s_home"),
                                      ("Ķeipenes pagasts", "stopped", "s_home"),
                                      ("Ogre", "providing", "s_day"), (None, "providing", "s_day"))]
    return {
        "marts.fct_provider_services": fact,
        "marts.dim_service": [{"service_key": "s_home", "report_group": "home_care"},
                              {"service_key": "s_day", "report_group": "day_centres"}],
        "reporting.rpt_territories_without_services": [
            {"snapshot_date": S1, "current_municipality_key": "ogre", "territorial_unit": unit,
             "territorial_unit_type": "town" if unit == "Ogre" else "parish", "service_group": group,
             "population": 500, "population_65plus": 120} for unit, group in listed_units],
    }


def test_territories_without_services_have_no_provider(tmp_path):
    good = [("Ķeipenes pagasts", "home_care"), ("Madlienas pagasts", "day_centres"),
            ("Ķeipenes pagasts", "day_centres")]  # a stopped record is no service; an unplaced one is in no unit
    assert _check(tmp_path, "reporting_rpt_territories_without_services", _territories(good)) == set()
    bad = [*good, ("Madlienas pagasts", "home_care")]  # a home care record provides there
    assert _check(tmp_path, "reporting_rpt_territories_without_services", _territories(bad)) == {"has_provider"}


# -- care balance ---------------------------------------------------------------------------------------------------

REGIONS = ("Rīgas plānošanas reģions", "Vidzemes plānošanas reģions")


def _balance(year: int, region: str, places=(30, 60), clients=(100, 400), **over) -> dict:
    ratio = round(places[0] / places[1], 3) if places[1] else None
    clients_ratio = round(clients[0] / clients[1], 3) if clients[1] else None
    return {"year": year, "planning_region": region, "institutional_records": 3, "community_records": 6,
            "institutional_places": places[0], "community_places": places[1], "institutional_clients": clients[0],
            "community_clients": clients[1], "places_ratio": ratio, "clients_ratio": clients_ratio,
            "places_ratio_change": None, "clients_ratio_change": None, **over}


def _care(rows: list[dict]) -> dict[str, list[dict]]:
    return {"reporting.rpt_care_balance": rows,
            "marts.dim_municipality": [{"planning_region": r, "is_current": True} for r in REGIONS]}


def test_care_balance_ratios_are_institutional_over_community(tmp_path):
    good = [_balance(2022, REGIONS[0]), _balance(2022, REGIONS[1], places=(10, 0)),
            _balance(2023, REGIONS[0], places=(30, 90), places_ratio_change=-0.167, clients_ratio_change=0.0),
            _balance(2023, REGIONS[1], places=(10, 0), clients_ratio_change=0.0)]
    assert _check(tmp_path, "reporting_rpt_care_balance", _care(good)) == set()
    bad = [_balance(2022, REGIONS[0], places_ratio=2.0),  # community / institutional, the wrong way round
           _balance(2022, REGIONS[1], places=(10, 0), places_ratio=0.0),  # a ratio without community places
           _balance(2023, REGIONS[0], places=(30, 90), places_ratio_change=0.333, clients_ratio_change=0.0),
           _balance(2023, REGIONS[1], places=(10, 0), clients_ratio_change=0.0)]
    assert _check(tmp_path, "reporting_rpt_care_balance", _care(bad)) == {
        "places_ratio_consistent", "places_ratio_change_consistent"}
    missing_region = [_balance(2022, REGIONS[0]), _balance(2022, REGIONS[1]),
                      _balance(2023, REGIONS[0], places_ratio_change=0.0, clients_ratio_change=0.0)]
    assert _check(tmp_path, "reporting_rpt_care_balance", _care(missing_region)) == {"every_region_in_year"}


# -- programme targets against results ------------------------------------------------------------------------------

def _result(key: str, target: float, target_year: int, achieved: float | None, achieved_year: int | None,
            status: str, **over) -> dict:
    gap = None if achieved is None else target - achieved
    return {"target_key": key, "unit": "clients", "target_value": target, "target_year": target_year,
            "achieved": achieved, "achieved_year": achieved_year, "gap": gap, "status": status, **over}


GOOD_RESULTS = [_result("met", 100.0, 2023, 120.0, 2023, "met"),
                _result("short", 100.0, 2023, 80.0, 2023, "not_met"),
                _result("later", 100.0, 2027, 120.0, 2024, "not_due"),  # measured in 2024: not due yet
                _result("none", 5.0, 2024, None, None, "not_due")]


def _programmes(results: list[dict], targets=None) -> dict[str, list[dict]]:
    keys = targets if targets is not None else [r["target_key"] for r in GOOD_RESULTS]
    return {"reporting.rpt_programme_targets_vs_results": results,
            "marts.fct_programme_targets": [{"target_key": k} for k in keys]}


def test_programme_statuses_follow_target_achieved_and_year(tmp_path):
    assert _check(tmp_path, "reporting_rpt_programme_targets_vs_results", _programmes(GOOD_RESULTS)) == set()
    bad = [_result("met", 100.0, 2023, 80.0, 2023, "met"),  # achieved below the target
           _result("short", 100.0, 2023, 80.0, 2023, "not_met", gap=-20.0),  # gap of the wrong sign
           _result("later", 100.0, 2027, 120.0, 2024, "met"),  # measured before the target year: not due yet
           _result("none", 5.0, 2024, None, None, "done")]
    assert _check(tmp_path, "reporting_rpt_programme_targets_vs_results", _programmes(bad)) \
        == {"status", "status_consistent", "gap_consistent"}
    beyond = [*GOOD_RESULTS[:3], _result("none", 5.0, 2024, 1.0, 2025, "met")]  # measured after the target year
    assert _check(tmp_path, "reporting_rpt_programme_targets_vs_results", _programmes(beyond)) \
        == {"status_consistent", "expect_column_pair_values_a_to_be_greater_than_b"}


def test_programme_report_has_one_row_per_target(tmp_path):
    keys = [r["target_key"] for r in GOOD_RESULTS]
    assert _check(tmp_path, "reporting_rpt_programme_targets_vs_results",
                  _programmes(GOOD_RESULTS, [*keys, "forgotten"])) == {"in_report", "status"}  # nor has it a status
    assert _check(tmp_path, "reporting_rpt_programme_targets_vs_results", _programmes(GOOD_RESULTS, keys[1:])) \
        == {"in_targets"}  # a row for an indicator the mart does not hold


# -- long-term care clients by age ----------------------------------------------------------------------------------

def _ltc(region: str, new=(10, 6, 2), year_end=50, **over) -> dict:
    return {"year": 2023, "planning_region": region, "new_clients": new[0], "new_clients_65plus": new[1],
            "new_clients_80plus": new[2], "share_new_65plus": new[1] / new[0], "share_new_80plus": new[2] / new[0],
            "mean_age_new_clients": 70.0, "clients_year_end": year_end, "share_year_end_80plus": 0.3, **over}


@pytest.mark.parametrize(("report", "failed"), [
    ([_ltc(REGIONS[0]), _ltc(REGIONS[1])], set()),
    ([_ltc(REGIONS[0], new=(10, 6, 7)), _ltc(REGIONS[1])], {"expect_column_pair_values_a_to_be_greater_than_b"}),
    ([_ltc(REGIONS[0], mean_age_new_clients=95.0), _ltc(REGIONS[1])], {"mean_age_new_clients"}),
    ([_ltc(REGIONS[0])], {"totals_match_the_mart"}),  # a region's clients lost between the mart and the report
])
def test_long_term_care_report(tmp_path, report, failed):
    mart = [{"year": 2023, "age_group": g, "clients_year_end": e, "new_clients": n}
            for g, e, n in (("18_64", 40, 8), ("65_79", 30, 8), ("80_89", 20, 3), ("90_plus", 10, 1))]
    tables = {"reporting.rpt_long_term_care_new_clients_by_age": report, "marts.fct_long_term_care_clients": mart}
    assert _check(tmp_path, "reporting_rpt_long_term_care_new_clients_by_age", tables) == failed
