"""What a run covers, for checks that should validate what the run changed rather than the whole history.

A run the register sensor requests carries one partition (`dagster/partition`); `lvsocial run` and backfills carry
a range (`dagster/asset_partition_range_start` / `_end`); the transform job carries none, and then everything is
validated. Checking one new snapshot then costs the same after 12 or 180 snapshots of history."""

from __future__ import annotations

import dagster as dg

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def run_partition_range(context: dg.AssetCheckExecutionContext) -> tuple[str, str] | None:
    """The (first, last) partition key of the run, or None when the run is not partitioned."""
    tags = context.run.tags
    if tags.get(PARTITION_TAG):
        return tags[PARTITION_TAG], tags[PARTITION_TAG]
    if tags.get(RANGE_START_TAG) and tags.get(RANGE_END_TAG):
        return tags[RANGE_START_TAG], tags[RANGE_END_TAG]
    return None


def scoped(query: str, column: str, scope: tuple[str, str] | None, *, and_later: bool = False) -> str:
    """The query limited to the run's partitions (and, with `and_later`, every later one: an incremental model
    rebuilds the snapshots after a late-arriving one). Keys are ISO dates, checked before use."""
    if scope is None:
        return query
    first, last = (str(_iso_date(k)) for k in scope)
    condition = f"{column} >= date '{first}'" + ("" if and_later else f" and {column} <= date '{last}'")
    return f"select * from ({query}) as validated where {condition}"


def within(query: str, column: str, keys: list[str | None]) -> str:
    """The query limited to a chunk of consecutive snapshots (ISO dates; None for rows without a date): one range,
    so every engine reads the chunk with one filter."""
    dates = [str(_iso_date(k)) for k in keys if k is not None]
    conditions = [f"{column} between date '{dates[0]}' and date '{dates[-1]}'"] if dates else []
    if None in keys:
        conditions.append(f"{column} is null")
    return f"select * from ({query}) as chunk where {' or '.join(conditions)}"


def _iso_date(key: str):
    import datetime as dt

    return dt.date.fromisoformat(key)
