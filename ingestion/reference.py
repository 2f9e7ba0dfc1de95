"""Reference facts the readers and checks compare against, read from the dbt seeds so that each fact has one copy: the
ATVK codes of every municipality version (2010 and 2021 classifiers, Madona 2025), the functional codes, the
register's status wording, the planning regions, the service types, and the currency rule (the fixed LVL rate and the
year the euro came in)."""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
MUNICIPALITIES_SEED = SEEDS / "municipalities.csv"


@lru_cache(maxsize=1)
def atvk_codes() -> frozenset[str]:
    """Every ATVK code that a municipality version has carried (seed `municipalities`)."""
    with MUNICIPALITIES_SEED.open(encoding="utf-8", newline="") as fh:
        return frozenset(row["atvk_code"] for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def planning_regions() -> frozenset[str]:
    """The planning regions of the municipality versions (seed `municipalities`)."""
    with MUNICIPALITIES_SEED.open(encoding="utf-8", newline="") as fh:
        return frozenset(row["planning_region"] for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def service_types() -> dict[str, str]:
    """Canonical service types (seed `service_types`): Latvian name -> service code."""
    with (SEEDS / "service_types.csv").open(encoding="utf-8", newline="") as fh:
        return {row["name_lv"]: row["service_code"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def function_codes() -> frozenset[str]:
    """The functional codes of social protection (seed `functional_codes`, MK 2005 Nr.934 group 10)."""
    with (SEEDS / "functional_codes.csv").open(encoding="utf-8", newline="") as fh:
        return frozenset(row["code"] for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def register_status_wording() -> dict[str, str]:
    """Status wording the register has used, folded, -> providing / planning / stopped (seed
    `register_status_wording`, stored folded; the staging model looks statuses up in the same seed)."""
    with (SEEDS / "register_status_wording.csv").open(encoding="utf-8", newline="") as fh:
        return {row["status_as_written_folded"]: row["status"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _lats() -> dict[str, str]:
    with (SEEDS / "currency_rates.csv").open(encoding="utf-8", newline="") as fh:
        return next(row for row in csv.DictReader(fh) if row["currency"] == "LVL")


def lvl_per_eur() -> float:
    """The fixed conversion rate, lats per euro (seed `currency_rates`: 1 EUR = 0.702804 LVL); the dbt macro
    `to_eur` divides by the same column."""
    return float(_lats()["lvl_per_eur"])


def euro_from_year() -> int:
    """The first year whose amounts are in euro: the year after the lats' last day (seed `currency_rates`,
    LVL valid until 2013-12-31, so 2014)."""
    return dt.date.fromisoformat(_lats()["valid_until"]).year + 1


def currency_of_year(year: int) -> str:
    """The currency a municipal file of `year` must be in: LVL before the euro year, EUR from it."""
    return "LVL" if year < euro_from_year() else "EUR"
