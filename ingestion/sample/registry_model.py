"""The register sample's parts: municipalities of the seed as the register names them, places, units (a provider)
and records (one unit's one service at one place) with their dated changes, and the constants of the register's
years. Shared by the sample (registry_sample.py), its events (registry_events.py) and its files (registry_files.py)."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from bisect import bisect_right, insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingestion.common import WITHOUT_DIACRITICS
from ingestion.sample.registry_services import SEEDS

SNAPSHOT_YEARS = range(2010, 2027)
LEGACY_YEARS = range(2010, 2017)
CALIBRATION_DATE = dt.date(2012, 1, 2)
ZEMGALE_DATE = dt.date(2023, 1, 2)
ZEMGALE_PROVIDERS = 125
REFORM = dt.date(2021, 7, 1)
MADONA_MERGER = dt.date(2025, 7, 1)
PLAIN_JSON_YEARS = (2023, 2026)

# Cohorts on 2012-01-02: (registration years, providing, planning, stopped).
COHORTS_2012 = [
    ((2003, 2004), 4, 0, 0),
    ((2005, 2009), 397, 0, 43),
    ((2010, 2010), 171, 62, 0),
    ((2011, 2011), 95, 121, 0),
]

LEGAL_STATUSES = {  # sector -> statuses as the register writes them
    "municipal": ["Pašvaldības iestāde", "Pašvaldības iestādes struktūrvienība", "Pašvaldības aģentūra"],
    "state": ["Valsts iestāde"],
    "ngo": ["Biedrība", "Nodibinājums"],
    "private": ["SIA", "Sabiedrība ar ierobežotu atbildību"],
    "person": ["fiziska persona", "individuālais komersants", "pašnodarbināta persona"],
    "religious": ["Reliģiskās organizācijas iestāde"],
}
CLIENT_GROUPS_OLD = ["invalīdi ar fiziska rakstura traucējumiem", "redzes invalīdi", "pensijas vecuma personas",
                     "personas ar garīga rakstura traucējumiem", "ģimenes ar bērniem", "bezpajumtnieki",
                     "vardarbībā cietušie", "personas ar atkarībām"]
CLIENT_GROUPS_NEW = ["personas ar invaliditāti ar fiziska rakstura traucējumiem", "personas ar redzes invaliditāti",
                     "pensijas vecuma personas", "personas ar garīga rakstura traucējumiem", "ģimenes ar bērniem",
                     "personas bez noteiktas dzīvesvietas", "vardarbībā cietušas personas",
                     "personas ar atkarības problēmām", "bērni ar funkcionāliem traucējumiem"]
AGE_GENDER = ["pilngadīgas personas (abu dzimumu)", "bērni (abu dzimumu)", "pilngadīgas personas (sievietes)",
              "bērni un pilngadīgas personas (abu dzimumu)"]
FIRST_NAMES = ["Jānis", "Anna", "Inese", "Pēteris", "Līga", "Andris", "Ilze", "Māris", "Dace", "Ģirts", "Žanna"]
LAST_NAMES = ["Bērziņš", "Kalniņa", "Ozola", "Liepiņš", "Krūmiņa", "Zariņš", "Vītola", "Šmits", "Ķēniņa", "Jansons"]
WORDS = ["Ozoli", "Saulstari", "Cerība", "Rūpes", "Atbalsts", "Mājas", "Gaisma", "Sirds", "Liepas", "Dzīpari",
         "Priedes", "Balta māja", "Vecie ļaudis", "Palīdzīga roka", "Samariets", "Zvaigzne"]
STREETS = ["Brīvības iela", "Skolas iela", "Rīgas iela", "Parka iela", "Dārza iela", "Liepu iela", "Raiņa iela",
           "Ausekļa iela", "Pils iela", "Lāčplēša iela"]
PARISHES = ["Allažu", "Meņģeles", "Zaubes", "Salas", "Vecumu", "Dunavas", "Ķeipenes", "Līvbērzes"]
QUOTES = [('"', '"'), ("“", "”"), ("„", "”"), ("«", "»")]
NO_DIACRITICS = WITHOUT_DIACRITICS  # text written without diacritics, as some exports are
NO_QUOTES = str.maketrans("", "", "".join(q for pair in QUOTES for q in pair))


@dataclass
class Municipality:
    code: str
    name: str
    genitive: str
    mtype: str
    valid_from: dt.date
    valid_to: dt.date | None
    successor: str
    planning_region: str


@dataclass(eq=False)
class Place:
    """Where a unit provides a service: the street part of the address (`Brīvības iela 12`, `“Ozoli”, Salas pag.`)
    in the unit's municipality. Its postcode and address code (`VZDKods`) are set once the universe is built, one
    per distinct address, and never change: the reform renames the municipality, not the place. So is its city,
    town or parish (`locality`, or the parish inside the street part), drawn from the seed `territorial_units`."""

    street: str
    codes: set[str] = field(default_factory=set)  # service codes ever provided here by the unit
    postcode: str = ""
    address_code: str = ""
    locality: str = ""  # between the street part and the municipality: `Bauska`, `Madliena, Madlienas pag.`


@dataclass
class Unit:
    register_number: int
    name: str
    legal_code: str
    legal_status: str
    sector: str
    municipality: str  # pre-reform ATVK code (or a 2021 code for units registered after the reform)
    records: list[Record] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    renames: list[tuple[dt.date, str]] = field(default_factory=list)  # (day, new name), in order of days

    def rename(self, day: dt.date, name: str) -> None:
        insort(self.renames, (day, name), key=lambda r: r[0])

    def name_on(self, on: dt.date) -> str:
        names = [n for d, n in self.renames if d <= on]
        return names[-1] if names else self.name


@dataclass
class Record:
    """One register record: one unit's one service code at one place, from registration to removal. The
    attributes that events change (place, capacity, wording) are the initial values; `get` gives them on a day."""

    unit: Unit
    code: str
    legacy_name: str
    current_name: str
    place: Place
    registered_on: dt.date
    providing_from: dt.date | None
    stopped_on: dt.date | None
    capacity: int | None
    client_groups: list[int]
    age_gender: str
    show_registration: bool
    changes: list[tuple[dt.date, str, Any]] = field(default_factory=list)  # (day, attribute, value) by day

    def change(self, day: dt.date, attribute: str, value: Any) -> None:
        insort(self.changes, (day, attribute, value), key=lambda c: c[0])

    def get(self, attribute: str, on: dt.date) -> Any:
        value = getattr(self, attribute)
        for day, name, new in self.changes:
            if day > on:
                break
            if name == attribute:
                value = new
        return value

    def version(self, on: dt.date) -> int:
        """How many changes of the record or its unit have happened by `on`: what a writer caching the record's
        text must watch besides the map and the status."""
        n = bisect_right(self.changes, on, key=lambda c: c[0]) if self.changes else 0
        return n + (sum(1 for d, _ in self.unit.renames if d <= on) if self.unit.renames else 0)

    def active(self, on: dt.date) -> bool:
        return self.listed(on) and self.status(on) != "stopped"

    def status(self, on: dt.date) -> str:
        if self.stopped_on and self.stopped_on <= on:
            return "stopped"
        if self.providing_from and self.providing_from <= on:
            return "providing"
        return "planning"

    def listed(self, on: dt.date) -> bool:
        # Stopped records stay listed for two years, then are removed from the register.
        if self.registered_on > on:
            return False
        return not (self.stopped_on and self.stopped_on + dt.timedelta(days=730) <= on)


def load_municipalities() -> dict[str, Municipality]:
    out = {}
    with open(SEEDS / "municipalities.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out[r["atvk_code"]] = Municipality(
                r["atvk_code"], r["name_lv"], r["name_genitive"], r["municipality_type"],
                dt.date.fromisoformat(r["valid_from"]),
                dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
                r["successor_atvk_code"], r["planning_region"])
    return out


def version_on(munis: dict[str, Municipality], code: str, on: dt.date) -> Municipality:
    """Follow successions from a municipality version to the one valid on a date."""
    m = munis[code]
    while m.valid_to and m.valid_to < on and m.successor:
        m = munis[m.successor]
    return m


def in_shares(counts: dict[str, int]) -> Iterator[str]:
    """Keys in proportion to `counts`, each as soon as it falls behind its share (the largest-deficit rule): a
    type of 1 % of the records gets one registration every hundred, never three in a row by chance, so that
    a small type's count moves only as fast as the register grows."""
    total, drawn = sum(counts.values()), dict.fromkeys(counts, 0)
    for k in itertools.count(1):
        deficits = {c: k * n / total - drawn[c] for c, n in counts.items()}
        key = max(deficits, key=deficits.__getitem__)
        drawn[key] += 1
        yield key


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))
