"""The mart comparison helper (tests/marts_equal.py) tells equal tables from different ones, whatever types the
drivers hand over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from tests.marts_equal import assert_frames_equal


def reference() -> pd.DataFrame:
    return pd.DataFrame({
        "key": ["a", "b", None],
        "n": pd.array([1, 2, None], dtype="Int64"),
        "amount": [1.10, 2.0, np.nan],
        "day": pd.to_datetime(["2021-07-01", "2009-07-01", None]),
        "flag": [True, False, None],
    })


def test_equal_rows_in_another_order_with_other_types_are_equal():
    other = pd.DataFrame({  # columns in another order, rows too; Decimal, dates, None instead of NaN
        "flag": [None, False, True],
        "day": [None, dt.date(2009, 7, 1), dt.date(2021, 7, 1)],
        "key": [None, "b", "a"],
        "amount": [None, Decimal("2.00"), Decimal("1.10")],
        "n": [None, 2, 1],
    })
    assert_frames_equal(reference(), other, "t")


def test_floats_within_the_tolerance_are_equal():
    other = reference()
    other["amount"] = [1.10 * (1 + 1e-12), 2.0, np.nan]
    assert_frames_equal(reference(), other, "t")


@pytest.mark.parametrize("column, values", [
    ("amount", [1.10 * (1 + 1e-7), 2.0, np.nan]),  # beyond the tolerance
    ("n", [1, 3, None]),  # integers are exact
    ("key", ["a", "B", None]),
    ("day", pd.to_datetime(["2021-07-02", "2009-07-01", None])),
    ("flag", [True, True, None]),
    ("amount", [1.10, 2.0, 0.0]),  # NULL is not 0
])
def test_a_different_value_fails(column, values):
    other = reference()
    other[column] = values
    with pytest.raises(AssertionError, match=column):
        assert_frames_equal(reference(), other, "t")


def test_missing_rows_or_columns_fail():
    with pytest.raises(AssertionError, match="3 rows in the reference, 2"):
        assert_frames_equal(reference(), reference().iloc[:2], "t")
    with pytest.raises(AssertionError, match="only in the reference: \\['flag'\\]"):
        assert_frames_equal(reference(), reference().drop(columns="flag"), "t")
