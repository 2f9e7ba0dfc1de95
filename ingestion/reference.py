"""Reference facts the readers and checks compare against, read from the dbt seeds so that each fact has one copy:
the ATVK codes of every municipality version (2010 and 2021 classifiers, Madona 2025), the functional codes and the
register's status wording."""

from __future__ import annotations

import csv
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
