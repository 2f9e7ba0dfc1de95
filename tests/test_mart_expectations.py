"""The Great Expectations suites on the marts fail on what they are meant to catch: amounts not converted at the
fixed rate, a municipality version not valid in the fact's year, a broken grain, an inconsistent norm flag."""

import pandas as pd

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
