"""Comparing a mart built on two engines: same columns, same rows in an explicit order, numbers within a tolerance."""

from __future__ import annotations

import datetime as dt
import decimal
import math

REL_TOL = 1e-9


def normalise(value):
    """One Python value per meaning, whatever the engine's driver returned."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        return value.item()
    return value


def _sort_key(row):
    # NULLs first, then by type name and value: an order every engine's rows can be put in.
    return tuple((v is not None, type(v).__name__, round(v, 6) if isinstance(v, float) else v) for v in row)


def _equal(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)
    return a == b


def compare_rows(table: str, columns_a: list[str], rows_a: list[tuple], columns_b: list[str],
                 rows_b: list[tuple]) -> list[str]:
    """Differences between two results of `select * from table` (empty when equal)."""
    problems = []
    if [c.lower() for c in columns_a] != [c.lower() for c in columns_b]:
        return [f"{table}: columns differ: {columns_a} vs {columns_b}"]
    if len(rows_a) != len(rows_b):
        problems.append(f"{table}: {len(rows_a)} rows vs {len(rows_b)}")
    a = sorted((tuple(normalise(v) for v in r) for r in rows_a), key=_sort_key)
    b = sorted((tuple(normalise(v) for v in r) for r in rows_b), key=_sort_key)
    for i, (x, y) in enumerate(zip(a, b)):
        if len(x) != len(y) or not all(_equal(p, q) for p, q in zip(x, y)):
            problems.append(f"{table}: row {i} differs:\n  {x}\n  {y}")
            if len(problems) > 3:
                break
    return problems
