"""Compare one mart as built by two engines (DuckDB as the reference; Spark, PostgreSQL): same column names, same
number of rows, and the same rows once both are sorted on every column. Values are normalised first, as drivers
hand them over differently: Decimal -> float, pandas/NumPy timestamps -> datetime, dates -> date (a column of
midnight datetimes on one side and dates on the other compares as dates), NaN/NaT/NA -> None. Floats (and a float
against an integer) compare with a relative tolerance of 1e-9; integers, strings, booleans and dates exactly."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd

REL_TOL = 1e-9
MAX_SHOWN = 5


def normalise(value: object) -> object:
    """One value in plain Python types: None, bool, int, float, str, date or datetime."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, Decimal):
        return None if value.is_nan() else float(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, (dt.datetime, dt.date, str)):
        return value
    raise TypeError(f"cannot compare a value of type {type(value).__name__}: {value!r}")


def _column(frame: pd.DataFrame, name: str) -> list:
    return [normalise(v) for v in frame[name].astype(object).tolist()]


def _midnight(values: list) -> bool:
    return all(v is None or (isinstance(v, dt.datetime) and v.time() == dt.time(0) and v.tzinfo is None)
               for v in values)


def _is_date(values: list) -> bool:
    return all(v is None or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)) for v in values)


def _reconcile_dates(a: list, b: list) -> tuple[list, list]:
    """A DATE column read as midnight datetimes on one side and as dates on the other: dates on both."""
    def to_date(values):
        return [v.date() if isinstance(v, dt.datetime) else v for v in values]
    if _is_date(a) and _midnight(b):
        return a, to_date(b)
    if _is_date(b) and _midnight(a):
        return to_date(a), b
    return a, b


def _sort_key(row: tuple) -> tuple:
    key = []
    for v in row:
        if v is None:
            key.append((0, 0))
        elif isinstance(v, bool):
            key.append((1, int(v)))
        elif isinstance(v, (int, float)):
            key.append((2, float(f"{float(v):.9e}")))  # rounded: values equal within tolerance sort alike
        elif isinstance(v, (dt.date, dt.datetime)):
            key.append((3, v.isoformat()))
        else:
            key.append((4, str(v)))
    return tuple(key)


def values_equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)
    return type(a) is type(b) and a == b


def assert_frames_equal(reference: pd.DataFrame, other: pd.DataFrame, table: str) -> None:
    """Fail with a readable message unless `other` holds the same rows as `reference` (column order aside: Spark
    keeps a table's partition columns last)."""
    ref_columns, other_columns = list(reference.columns), list(other.columns)
    assert sorted(ref_columns) == sorted(other_columns), (
        f"{table}: columns differ; only in the reference: {sorted(set(ref_columns) - set(other_columns))}, "
        f"only in the other: {sorted(set(other_columns) - set(ref_columns))}")
    assert len(reference) == len(other), f"{table}: {len(reference)} rows in the reference, {len(other)} in the other"

    ref_cols, other_cols = [], []
    for name in ref_columns:
        a, b = _reconcile_dates(_column(reference, name), _column(other, name))
        ref_cols.append(a)
        other_cols.append(b)
    ref_rows = sorted(zip(*ref_cols), key=_sort_key) if ref_cols else []
    other_rows = sorted(zip(*other_cols), key=_sort_key) if other_cols else []

    differing = []
    for index, (a_row, b_row) in enumerate(zip(ref_rows, other_rows)):
        columns = [name for name, a, b in zip(ref_columns, a_row, b_row) if not values_equal(a, b)]
        if columns:
            differing.append((index, columns, a_row, b_row))
    if differing:
        lines = [f"{table}: {len(differing)} of {len(ref_rows)} sorted rows differ; the first:"]
        for index, columns, a_row, b_row in differing[:MAX_SHOWN]:
            lines.append(f"  row {index}, columns {columns}:")
            lines.append(f"    reference: {dict((c, a_row[ref_columns.index(c)]) for c in columns)}")
            lines.append(f"    other:     {dict((c, b_row[ref_columns.index(c)]) for c in columns)}")
        raise AssertionError("\n".join(lines))
