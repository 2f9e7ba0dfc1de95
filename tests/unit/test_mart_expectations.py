"""The Great Expectations suites on the marts fail on what they are meant to catch: amounts not converted at the
fixed rate, a municipality version not valid in the fact's year, a broken grain, an inconsistent norm flag, a record
neither placed nor flagged, a border flag without its countries. Where the rule is in the suite's query, the query
runs on a small DuckDB file of purpose-made marts."""

import datetime as dt
import gc
import weakref

import pandas as pd

from expectations import runner
from expectations.marts import SUITES
from expectations.runner import validate_frame
from tests.small_warehouse import read_frame, write_tables


def _validate(name: str, frame: pd.DataFrame):
    return validate_frame(frame, name, SUITES[name][1])


def _expenditure(**over) -> pd.DataFrame:
    row = {"year": 2013, "municipality_key": "m1", "current_municipality_key": "c1", "function_code": "10.200",
           "executed_eur": 1422.87, "original_currency": "LVL", "executed_misconverted": False,
           "valid_in_year": True}
    second = {**row, "function_code": "10.400", "year": 2014, "original_currency": "EUR"}
    return pd.DataFrame([{**row, **over}, second])


def test_expenditure_suite_passes_good_rows():
    assert _validate("marts_fct_municipal_expenditure", _expenditure()).success


def test_expenditure_suite_catches_a_misconversion_and_an_invalid_version():
    summary = _validate("marts_fct_municipal_expenditure",
                        _expenditure(executed_misconverted=True, valid_in_year=False))
    failed = {(f["expectation"], f["column"]) for f in summary.failed}
    assert not summary.success
    assert ("expect_column_values_to_be_in_set", "executed_misconverted") in failed
    assert ("expect_column_values_to_be_in_set", "valid_in_year") in failed


def test_expenditure_suite_catches_a_duplicated_grain():
    frame = _expenditure()
    frame.loc[1, ["year", "function_code"]] = [2013, "10.200"]
    summary = _validate("marts_fct_municipal_expenditure", frame)
    assert [f["expectation"] for f in summary.failed] == ["expect_compound_columns_to_be_unique"]


def test_staffing_suite_catches_an_inconsistent_norm_flag():
    frame = pd.DataFrame([{"year": 2019, "municipality_key": "m1", "social_work_specialists": 3, "population": 5000,
                           "norm_consistent": False}])
    summary = _validate("marts_fct_social_work_staffing", frame)
    assert [f["column"] for f in summary.failed] == ["norm_consistent"]


def test_a_kept_gx_project_records_every_validation_and_keeps_no_frame(tmp_path):
    """validate_frame keeps the GX project open for the process and shares compiled templates
    (expectations/runner.py): results and Data Docs must be what a fresh project gives, and no frame may stay
    alive after its validation (at ×10 the raw register's frame is 1.9 M rows)."""
    docs = tmp_path / "quality"
    good = _expenditure()
    alive = weakref.ref(good)
    assert validate_frame(good, "marts_fct_municipal_expenditure", SUITES["marts_fct_municipal_expenditure"][1],
                          docs).success
    del good
    gc.collect()
    assert alive() is None
    assert docs in runner._CONTEXTS  # the project is kept ...
    bad = _expenditure(executed_misconverted=True)
    summary = validate_frame(bad, "marts_fct_municipal_expenditure", SUITES["marts_fct_municipal_expenditure"][1],
                             docs)
    assert not summary.success  # ... and a later failure is not masked by the earlier pass
    staffing = pd.DataFrame([{"year": 2019, "municipality_key": "m1", "social_work_specialists": 3,
                              "population": 5000, "norm_consistent": True}])
    assert validate_frame(staffing, "marts_fct_social_work_staffing", SUITES["marts_fct_social_work_staffing"][1],
                          docs).success
    pages = list((docs / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 3  # one page per validation, rendered with the shared templates
    index = (docs / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "marts_fct_municipal_expenditure" in index and "marts_fct_social_work_staffing" in index
    assert runner._TEMPLATE_CACHE and runner._TEMPLATE_CACHE[0].codes  # templates compiled once, then reused


def _failures(tmp_path, name: str, tables: dict[str, list[dict]]) -> set[str]:
    """The columns (or, without one, expectation types) the suite fails on, reading its frame with its own query
    from a new file of these tables."""
    path = write_tables(tmp_path / f"{len(list(tmp_path.iterdir()))}.duckdb", tables)
    return {f["column"] or f["expectation"] for f in _validate(name, read_frame(path, SUITES[name][0])).failed}


SNAPSHOT = dt.date(2023, 1, 2)
MUNICIPALITY = {"municipality_key": "ogre", "atvk_code": "0054000", "municipality_type": "novads",
                "successor_atvk_code": "0054000", "valid_from": dt.date(2021, 7, 1), "valid_to": dt.date(9999, 12, 31),
                "planning_region": "Rīgas plānošanas reģions", "is_current": True, "is_border": False,
                "borders": None}


def _record(row: int, unit, kind, resolution) -> dict:
    return {"snapshot_date": SNAPSHOT, "record_key": f"r{row}", "source_file": "f.json", "source_row": row,
            "status": "providing", "provider_key": "p1", "service_key": "s1", "capacity": 10, "register_number": 7,
            "municipality_key": "ogre", "current_municipality_key": "ogre", "territorial_unit": unit,
            "territorial_unit_type": kind, "territorial_unit_resolution": resolution}


def test_provider_services_suite_wants_every_record_placed_or_flagged(tmp_path):
    good = [_record(1, "Madlienas pagasts", "parish", "address"), _record(2, "Ogre", "town", "address_code"),
            _record(3, None, None, "unresolved")]
    tables = {"marts.dim_municipality": [MUNICIPALITY]}
    assert _failures(tmp_path, "marts_fct_provider_services", {**tables, "marts.fct_provider_services": good}) \
        == set()
    for bad in (_record(4, None, None, "address"),  # no unit, and not flagged
                _record(4, "Ogre", "town", "unresolved"),  # flagged, yet a unit
                _record(4, "Ogre", None, "address")):  # a unit without its type
        records = {**tables, "marts.fct_provider_services": [*good, bad]}
        assert _failures(tmp_path, "marts_fct_provider_services", records) \
            == {"territorial_unit_placed_or_flagged"}, bad
    unflagged = {**tables, "marts.fct_provider_services": [*good, _record(4, None, None, None)]}
    assert _failures(tmp_path, "marts_fct_provider_services", unflagged) \
        == {"territorial_unit_resolution", "territorial_unit_placed_or_flagged"}


def _municipality(key: str, is_border: bool, borders, atvk: str) -> dict:
    return {**MUNICIPALITY, "municipality_key": key, "atvk_code": atvk, "successor_atvk_code": atvk,
            "is_border": is_border, "borders": borders}


def test_municipality_suite_holds_the_border_flag_to_its_countries(tmp_path):
    good = [_municipality("ogre", False, None, "0054000"), _municipality("aluksne", True, "Estonia; Russia", "0021000"),
            _municipality("bauska", True, "Lithuania", "0023000")]
    assert _failures(tmp_path, "marts_dim_municipality", {"marts.dim_municipality": good}) == set()
    for bad, failed in ((_municipality("x", True, None, "0099000"), {"border_flag_consistent"}),
                        (_municipality("x", False, "Lithuania", "0099000"), {"border_flag_consistent"}),
                        (_municipality("x", True, "", "0099000"), {"border_flag_consistent", "borders"}),
                        (_municipality("x", True, "Poland", "0099000"), {"borders"}),
                        (_municipality("x", True, "Estonia, Russia", "0099000"), {"borders"}),
                        (_municipality("x", True, "Lietuva", "0099000"), {"borders"})):
        assert _failures(tmp_path, "marts_dim_municipality", {"marts.dim_municipality": [*good, bad]}) == failed, bad


def test_long_term_care_suite(tmp_path):
    rows = [{"year": 2023, "municipality_key": "ogre", "current_municipality_key": "ogre", "age_group": group,
             "clients_year_end": 10, "new_clients": 2} for group in ("18_64", "65_79", "80_89", "90_plus")]
    tables = {"marts.dim_municipality": [MUNICIPALITY]}
    assert _failures(tmp_path, "marts_fct_long_term_care_clients",
                     {**tables, "marts.fct_long_term_care_clients": rows}) == set()
    bad = [{**rows[0], "age_group": "0_17"}, {**rows[1], "year": 2019},  # Ogre's 2021 version, not valid in 2019
           {**rows[2], "new_clients": -1}, {**rows[3], "age_group": "80_89"}]
    assert _failures(tmp_path, "marts_fct_long_term_care_clients",
                     {**tables, "marts.fct_long_term_care_clients": bad}) \
        == {"age_group", "valid_in_year", "new_clients", "expect_compound_columns_to_be_unique"}


def test_programme_targets_suite(tmp_path):
    target = {"target_key": "t1", "planning_region": "Vidzemes plānošanas reģions", "unit": "clients",
              "service_key": "s1", "baseline_value": 100.0, "baseline_year": 2021, "target_value": 150.0,
              "target_year": 2027}
    services = {"marts.dim_service": [{"service_key": "s1"}]}
    assert _failures(tmp_path, "marts_fct_programme_targets",
                     {**services, "marts.fct_programme_targets": [target, {**target, "target_key": "t2"}]}) == set()
    bad = [target, {**target, "target_key": "t2", "baseline_year": 2028, "service_key": "s9", "unit": "euro"}]
    assert _failures(tmp_path, "marts_fct_programme_targets", {**services, "marts.fct_programme_targets": bad}) \
        == {"expect_column_pair_values_a_to_be_greater_than_b", "service_exists", "unit"}
