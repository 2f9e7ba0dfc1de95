"""Events between the register sample's yearly snapshots, each on a day of its own: providers renamed, records
moved to another place, capacities changed and services reworded. Registrations, status changes and removals are
the records' own dates. Whatever happens, a record keeps its unit and its service code; only a move changes its
place."""

from __future__ import annotations

import datetime as dt
import random
from typing import Protocol

from ingestion.sample.registry_model import Place, Unit
from ingestion.sample.registry_services import SERVICE_NAMES

EVENT_YEARS = range(2010, 2026)
FIRST_JSON_YEAR = 2017
# Yearly chance per unit (renamed) or per record (the others), drawn independently.
RENAMED, MOVED, CAPACITY_CHANGED, REWORDED = 0.015, 0.01, 0.05, 0.015


def day_after_snapshot(rng: random.Random, year: int) -> dt.date:
    """A day after the 2 January snapshot of `year` and before the next one."""
    start = dt.date(year, 1, 3)
    return start + dt.timedelta(days=rng.randrange((dt.date(year + 1, 1, 2) - start).days))


def other_capacity(capacity: int, rng: random.Random) -> int:
    """A capacity some 10–40 % up or down from the present one."""
    step = max(1, round(capacity * rng.uniform(0.1, 0.4)))
    return capacity + step if rng.random() < 0.6 or capacity - step < 1 else capacity - step


class EventfulSample(Protocol):
    """What the events need of the sample (registry_sample.RegisterSample), named here so that the two modules do
    not import each other."""

    units: list[Unit]

    def other_name(self, unit: Unit, day: dt.date, rng: random.Random) -> str | None: ...

    def new_place(self, unit: Unit, code: str, rng: random.Random, reuse: float) -> Place: ...


def draw_events(sample: EventfulSample, rng: random.Random) -> None:
    """Add the events of every year to the sample's units and records; an event happens only to a unit or record
    that is active (listed and not stopped) on its day."""
    for year in EVENT_YEARS:
        for unit in sample.units:
            if rng.random() < RENAMED:
                day = day_after_snapshot(rng, year)
                if any(r.active(day) for r in unit.records) and (name := sample.other_name(unit, day, rng)):
                    unit.rename(day, name)
        for unit in sample.units:
            for rec in unit.records:
                moved, resized, reworded = (rng.random() < p for p in (MOVED, CAPACITY_CHANGED, REWORDED))
                if moved and rec.active(day := day_after_snapshot(rng, year)):
                    rec.change(day, "place", sample.new_place(unit, rec.code, rng, reuse=0.0))
                if resized and rec.active(day := day_after_snapshot(rng, year)):
                    capacity = rec.get("capacity", day)
                    if capacity is not None:
                        rec.change(day, "capacity", other_capacity(capacity, rng))
                if reworded and rec.active(day := day_after_snapshot(rng, year)):
                    legacy, current = SERVICE_NAMES[rec.code]
                    field, wordings = ("legacy_name", legacy) if year < FIRST_JSON_YEAR else ("current_name", current)
                    others = [w for w in wordings if w != rec.get(field, day)]
                    if others:
                        rec.change(day, field, rng.choice(others))
