"""The sample's clients of long-term social care by age group (docs/inputs.md#clients-of-long-term-care-by-age-group):
one file per year on the 2021 map (the statistics are of the year end), clients at year end and new clients in the
year per municipality × age group. People enter care older every year (the 2012 presentation's "higher age of
clients entering long-term care"): the share of the oldest groups among new clients rises year by year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingestion.sample.municipal import _write_rows
from ingestion.sample.world import NBSP, World, format_number
from ingestion.sources import LONG_TERM_CARE_CLIENTS

YEARS = range(2021, 2026)  # five years keep the sample small (tests/unit/test_sample_other_sources.py)
HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Vecuma grupa", "Klienti gada beigās", "Jaunie klienti gadā"]
AGE_GROUPS = ("18–64", "65–79", "80–89", "90 un vairāk")
# Shares of the age groups among new clients in the first year, and their yearly drift (sums to 0): entrants older.
NEW_SHARES = (0.20, 0.34, 0.34, 0.12)
NEW_DRIFT = (-0.012, -0.010, 0.010, 0.012)
STOCK_SHARES = (0.24, 0.32, 0.32, 0.12)  # clients at year end: drift at half the entrants' pace
CLIENTS_PER_INHABITANT = (0.0015, 0.005)  # the statistics' long-term care rate (municipal.SERVICE_MODEL)


def _split(total: int, shares: list[float]) -> list[int]:
    """Whole numbers summing to `total`, the largest remainders rounded up."""
    raw = [total * s for s in shares]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def rows_of_year(world: World, year: int) -> list[list[str]]:
    rng = world.rng(f"long_term_care:{year}")
    rows = []
    for m in (m for m in world.munis if m.valid_on(dt.date(year, 12, 31))):
        rate = world.rng(f"long_term_care:{m.atvk}").uniform(*CLIENTS_PER_INHABITANT)
        clients = max(4, round(world.population_in(m, year) * rate * rng.uniform(0.95, 1.05)))
        new = max(1, round(clients * rng.uniform(0.25, 0.35)))
        t = year - YEARS[0]
        new_shares = [max(0.01, s + d * t + rng.uniform(-0.01, 0.01)) for s, d in zip(NEW_SHARES, NEW_DRIFT)]
        stock_shares = [max(0.01, s + d * t / 2) for s, d in zip(STOCK_SHARES, NEW_DRIFT)]
        new_parts = _split(new, [s / sum(new_shares) for s in new_shares])
        stock_parts = _split(clients, [s / sum(stock_shares) for s in stock_shares])
        sep = rng.choice([" ", NBSP])
        for group, stock, entered in zip(AGE_GROUPS, stock_parts, new_parts):
            rows.append([str(year), m.atvk, m.name, group, format_number(stock, sep, 0),
                         format_number(entered, sep, 0)])
    return rows


def write_long_term_care(world: World, landing: Path) -> dict[str, int]:
    written = {}
    for year in YEARS:
        path = LONG_TERM_CARE_CLIENTS.path(landing, str(year))
        written[f"{LONG_TERM_CARE_CLIENTS.subfolder}/{path.name}"] = _write_rows(path, HEADER, rows_of_year(world,
                                                                                                          year))
    return written
