"""The Great Expectations suites on the marts fail on what they are meant to catch: amounts not converted at the
fixed rate, a municipality version not valid in the fact's year, a broken grain, an inconsistent norm flag."""

import gc
import weakref

import pandas as pd

from expectations import runner
from expectations.marts import SUITES
from expectations.runner import validate_frame


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
