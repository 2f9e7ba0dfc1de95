"""Deterministic sample of the Social Service Providers Register: legacy CSV/XLSX snapshots 2010–2016 and JSON
snapshots 2017–2026, calibrated so that the published figures of the seed documents come out of the marts
(the 2 January 2012 snapshot and the Zemgale planning region on 2 January 2023).

A register record is one unit's one service (a canonical service code) at one place. It keeps its code and its
place through the 2016→2017 format switch and the 2021 reform; what changes is how the formats write it (the
wording, the address with or without municipality and postcode) and the events of registry_events.py."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import json
import random
from bisect import bisect_right, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingestion.common import WITHOUT_DIACRITICS
from ingestion.sample.registry_events import draw_events
from ingestion.sample.registry_services import ACCOMMODATION_CODES, SEEDS, SERVICE_NAMES, code_counts_2012

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
    per distinct address, and never change: the reform renames the municipality, not the place."""

    street: str
    codes: set[str] = field(default_factory=set)  # service codes ever provided here by the unit
    postcode: str = ""
    address_code: str = ""


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


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class RegisterSample:
    def __init__(self, seed: int | str):
        self.seed = seed
        self.rng = random.Random(seed)
        self.munis = load_municipalities()
        self.pre = [m for m in self.munis.values() if m.valid_to == dt.date(2021, 6, 30)]
        self.weights = [15 if m.name == "Rīga" else 3 if m.mtype == "republikas pilsēta" else 1 for m in self.pre]
        self.units: list[Unit] = []
        self.next_number = 1

    # -- building the universe -------------------------------------------------------------------------------
    def _new_unit(self, code: str, municipality: str | None = None) -> Unit:
        rng = self.rng
        sector = {"municipal_social_service": "municipal", "social_work_service": "municipal"}.get(code) or \
            rng.choices(["municipal", "state", "ngo", "private", "person", "religious"], [44, 4, 30, 15, 4, 3])[0]
        muni = municipality or rng.choices(self.pre, self.weights)[0].code
        name = self._draw_name(sector, self.munis[muni], rng)
        if sector == "person":
            birth = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(50, 99)}"
            legal_code = f"{birth}-{rng.randint(10000, 29999)}"
        else:
            prefix = {"municipal": "90000", "state": "90009", "religious": "99000", "ngo": "50008",
                      "private": "40008"}[sector]
            legal_code = f"{prefix}{rng.randint(100000, 999999)}"
        status = rng.choice(LEGAL_STATUSES[sector])
        unit = Unit(self.next_number, name, legal_code, status, sector, muni)
        self.next_number += 1
        self.units.append(unit)
        return unit

    @staticmethod
    def _draw_name(sector: str, m: Municipality, rng: random.Random) -> str:
        if sector == "person":
            return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        q1, q2 = rng.choice(QUOTES)
        place = m.genitive or m.name.replace(" novads", "")
        if sector == "municipal":
            return f"{place} {'novada ' if m.mtype == 'novads' else ''}" + rng.choice(
                ["Sociālais dienests", f"sociālās aprūpes centrs {q1}{rng.choice(WORDS)}{q2}",
                 f"pansionāts {q1}{rng.choice(WORDS)}{q2}", "Sociālo pakalpojumu centrs"])
        if sector == "state":
            return f"VSAC {q1}{place}{q2}"
        if sector == "religious":
            return f"Draudzes diakonijas centrs {q1}{rng.choice(WORDS)}{q2}"
        prefix = {"ngo": rng.choice(["Biedrība", "Nodibinājums"]), "private": "SIA"}[sector]
        return f"{prefix} {q1}{rng.choice(WORDS)}{q2}"

    def other_name(self, unit: Unit, on: dt.date, rng: random.Random) -> str | None:
        """A new name for a unit: a person's surname changes, an organisation is named anew as its kind is (other
        quotation marks are no new name). None when its kind has no other name (a state centre is its place's)."""
        old = unit.name_on(on).translate(NO_QUOTES)
        m = self.munis[unit.municipality]
        for _ in range(20):
            if unit.sector == "person":
                name = f"{old.split(' ', 1)[0]} {rng.choice(LAST_NAMES)}"
            else:
                name = self._draw_name(unit.sector, m, rng)
            if name.translate(NO_QUOTES) != old:
                return name
        return None

    def new_place(self, unit: Unit, code: str, rng: random.Random, reuse: float) -> Place:
        """A place for the unit's record of `code`: with chance `reuse` one of the unit's places where it has never
        provided that service (two records of one unit, code and place would be one record), else a new street."""
        free = [p for p in unit.places if code not in p.codes]
        if free and rng.random() < reuse:
            place = rng.choice(free)
        else:
            streets = {p.street for p in unit.places}
            street = ""
            while not street or street in streets:
                street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
                if rng.random() < 0.15:
                    q1, q2 = rng.choice(QUOTES)
                    street = f"{q1}{rng.choice(WORDS)}{q2}, {rng.choice(PARISHES)} pag."
            place = Place(street)
            unit.places.append(place)
        place.codes.add(code)
        return place

    def _new_record(self, unit: Unit, code: str, registered_on: dt.date, providing_from: dt.date | None,
                    stopped_on: dt.date | None) -> Record:
        rng = self.rng
        legacy, current = SERVICE_NAMES[code]
        # A unit's services often share its building: half of its later records go to one of its places.
        place = self.new_place(unit, code, rng, reuse=0.5)
        capacity = None if rng.random() < 0.2 else (rng.randint(20, 300) if code == "ltc_institution"
                                                    else rng.randint(5, 60))
        rec = Record(unit, code, rng.choice(legacy), rng.choice(current), place, registered_on, providing_from,
                     stopped_on, capacity, rng.sample(range(len(CLIENT_GROUPS_NEW) - 1), rng.randint(0, 3)),
                     rng.choice(AGE_GENDER), rng.random() < 0.85)
        unit.records.append(rec)
        return rec

    def _cohort(self, years: tuple[int, int], status: str, n: int, codes: list[str]) -> None:
        """Create n records registered in the given years with the given status on 2012-01-02."""
        start, end = dt.date(years[0], 1, 1), min(dt.date(years[1], 12, 31), CALIBRATION_DATE)
        rng = self.rng
        i = 0
        while i < n:
            size = min(n - i, rng.choices([1, 2, 3], [70, 22, 8])[0])
            reg = _rand_date(rng, start, end)
            unit = self._new_unit(codes[i])
            for _ in range(size):
                code = codes[i]
                if status == "providing":
                    prov = min(reg + dt.timedelta(days=rng.randint(0, 200)), CALIBRATION_DATE)
                    stop = None if rng.random() < 0.9 else _rand_date(rng, dt.date(2013, 1, 1), dt.date(2025, 6, 1))
                elif status == "planning":
                    prov = _rand_date(rng, dt.date(2012, 2, 1), dt.date(2014, 12, 31)) if rng.random() < 0.85 else None
                    stop = None if prov else _rand_date(rng, dt.date(2013, 1, 1), dt.date(2016, 12, 31))
                else:
                    prov = reg + dt.timedelta(days=rng.randint(0, 200))
                    stop = _rand_date(rng, max(dt.date(2010, 3, 1), prov + dt.timedelta(days=1)),
                                      dt.date(2011, 12, 20))
                self._new_record(unit, code, reg, prov, stop)
                i += 1

    def build(self) -> RegisterSample:
        rng = self.rng
        counts = code_counts_2012()
        codes = [c for c, n in counts.items() for _ in range(n)]
        # Municipal social services belong to the oldest cohort; the rest is shuffled over cohorts.
        mss = [c for c in codes if c == "municipal_social_service"]
        rest = [c for c in codes if c != "municipal_social_service"]
        rng.shuffle(rest)
        pool = mss + rest
        for years, providing, planning, stopped in COHORTS_2012:
            for status, n in (("providing", providing), ("planning", planning), ("stopped", stopped)):
                take, pool = pool[:n], pool[n:]
                self._cohort(years, status, n, take)
        assert not pool
        # After the calibration date: new registrations every year, some of them stopping later, spread over the
        # codes in their 2012 shares.
        spread = in_shares(counts)
        for year in range(2012, 2026):
            for _ in range(rng.randint(25, 38)):
                code = next(spread)
                reg = _rand_date(rng, max(dt.date(year, 1, 3), CALIBRATION_DATE + dt.timedelta(days=1)),
                                 dt.date(year, 12, 31))
                prov = reg + dt.timedelta(days=rng.randint(30, 500)) if rng.random() < 0.9 else None
                stop = None if rng.random() < 0.75 else reg + dt.timedelta(days=rng.randint(400, 2500))
                unit = self.rng.choice(self.units) if rng.random() < 0.2 else self._new_unit(code)
                self._new_record(unit, code, reg, prov, stop)
        self._calibrate_zemgale()
        draw_events(self, random.Random(f"{self.seed}:events"))
        self._number_places()
        return self

    def _number_places(self) -> None:
        """Give each distinct address (municipality and street) its postcode and address code, once the units'
        municipalities are final: places of two units at one address share them."""
        rng = random.Random(f"{self.seed}:places")
        numbered: dict[tuple[str, str], tuple[str, str]] = {}
        taken: set[str] = set()
        for unit in self.units:
            for place in unit.places:
                key = (unit.municipality, place.street)
                if key not in numbered:
                    code = ""
                    while not code or code in taken:
                        code = str(rng.randrange(100_000_000, 110_000_000))
                    taken.add(code)
                    post = 1000 + (int(unit.municipality[:4]) * 37 + rng.randrange(12)) % 4000
                    numbered[key] = (f"LV-{post:04d}", code)
                place.postcode, place.address_code = numbered[key]

    def _region(self, unit: Unit) -> str:
        return version_on(self.munis, unit.municipality, ZEMGALE_DATE).planning_region

    def _active_units(self, on: dt.date) -> list[Unit]:
        return [u for u in self.units if any(r.listed(on) and r.status(on) != "stopped" for r in u.records)]

    def _calibrate_zemgale(self) -> None:
        """Move units between municipalities until Zemgale holds the published number of providers in 2023."""
        rng = self.rng
        zemgale = [m.code for m in self.pre if version_on(self.munis, m.code, ZEMGALE_DATE).planning_region
                   .startswith("Zemgales")]
        active = self._active_units(ZEMGALE_DATE)
        # Units named after their municipality stay where they are.
        movable = [u for u in active if u.sector not in ("municipal", "state")]
        inside = [u for u in movable if self._region(u).startswith("Zemgales")]
        fixed_inside = sum(1 for u in active if u not in movable and self._region(u).startswith("Zemgales"))
        outside = [u for u in movable if not self._region(u).startswith("Zemgales")]
        rng.shuffle(inside)
        rng.shuffle(outside)
        while len(inside) + fixed_inside > ZEMGALE_PROVIDERS:
            u = inside.pop()
            u.municipality = rng.choice([m.code for m in self.pre if m.code not in zemgale])
        while len(inside) + fixed_inside < ZEMGALE_PROVIDERS:
            u = outside.pop()
            u.municipality = rng.choice(zemgale)
            inside.append(u)

    # -- writing snapshots ---------------------------------------------------------------------------------
    def municipality_written(self, unit: Unit, on: dt.date, style: int) -> str:
        m = version_on(self.munis, unit.municipality, on)
        name = m.name
        if m.mtype == "novads":
            name = [name, name.replace(" novads", " nov."), name][style % 3]
        elif style % 4 == 1:
            name = f"{m.genitive} pilsēta"
        if style % 11 == 5:
            name = name.translate(NO_DIACRITICS)
        return name

    def address(self, rec: Record, on: dt.date) -> str:
        """The JSON address: the street part, the municipality of the day (`Ogres nov.`) and the postcode."""
        m = version_on(self.munis, rec.unit.municipality, on)
        written = m.name.replace(" novads", " nov.")
        # A few addresses keep the pre-reform municipality after the reform, as real addresses sometimes do.
        if on >= REFORM and rec.unit.register_number % 23 == 0:
            old = self.munis[rec.unit.municipality]
            if old.mtype == "novads":
                written = old.name.replace(" novads", " nov.")
        place = rec.get("place", on)
        return f"{place.street}, {written}, {place.postcode}"

    def snapshot_records(self, on: dt.date) -> list[Record]:
        return [r for u in self.units for r in u.records if r.listed(on)]


LEGACY_HEADER = ["Reģ. Nr.", "Sniedzēja nosaukums", "Reģistrācijas kods", "Juridiskais statuss", "Pakalpojums",
                 "Pakalpojuma sniegšanas adrese", "Pašvaldība", "Klientu grupas", "Vietu skaits", "Statuss",
                 "Reģistrēts", "Izslēgts"]
LEGACY_STATUS = {"providing": "sniedz pakalpojumus", "planning": "plāno sniegt", "stopped": "pārtraucis darbību"}
JSON_STATUS = {"providing": ["Sniedz", "sniedz", " Sniedz "], "planning": ["Plāno sniegt", "plāno sniegt",
                                                                         "Plāno  sniegt"],
               "stopped": ["Pārtraukta darbība", "pārtraukta darbība"]}
# Per year: file format and encoding of the legacy exports.
LEGACY_FORMATS = {2010: ("csv", "cp1257"), 2011: ("csv", "utf-8-sig"), 2012: ("csv", "cp1257"),
                  2013: ("csv", "utf-8"), 2014: ("xlsx", "title"), 2015: ("csv", "utf-8-sig"), 2016: ("xlsx", "")}
WITH_ACCOMMODATION = "ar izmitināšanu"
# Drawn per record and snapshot; the repeated entry makes "bez izmitināšanas" the usual answer.
FORMS_WITHOUT_ACCOMMODATION = ["bez izmitināšanas", "bez izmitināšanas", "ar izmitināšanu un bez izmitināšanas"]


def _fmt(d: dt.date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def legacy_row(sample: RegisterSample, rec: Record, on: dt.date, position: int) -> list[str]:
    """One record as a legacy export row; `position` (the row's index in the file) picks how the municipality is
    spelt, so that spellings vary within a file."""
    status = rec.status(on)
    groups = "; ".join(CLIENT_GROUPS_OLD[g % len(CLIENT_GROUPS_OLD)] for g in rec.client_groups)
    capacity = rec.get("capacity", on)
    return [str(rec.unit.register_number), rec.unit.name_on(on), rec.unit.legal_code, rec.unit.legal_status,
            rec.get("legacy_name", on), rec.get("place", on).street,
            sample.municipality_written(rec.unit, on, position), groups,
            "" if capacity is None else str(capacity), LEGACY_STATUS[status],
            _fmt(rec.registered_on), _fmt(rec.stopped_on) if status == "stopped" else ""]


def legacy_rows(sample: RegisterSample, on: dt.date) -> list[list[str]]:
    return [legacy_row(sample, rec, on, i) for i, rec in enumerate(sample.snapshot_records(on))]


def service_form(rec: Record, rng: random.Random) -> str:
    """`PakalpojumaSniegsanasForma`: fixed for services with accommodation, drawn per snapshot for the others."""
    if rec.code in ACCOMMODATION_CODES:
        return WITH_ACCOMMODATION
    return rng.choice(FORMS_WITHOUT_ACCOMMODATION)


def json_item(sample: RegisterSample, rec: Record, on: dt.date, status: str, form: str) -> dict:
    """One record in the JSON open-data shape, with the snapshot's spelling of its status and its service form."""
    u = rec.unit
    item = {
        "PakalpojumaSniedzejaRegistracijasNumurs": u.register_number if u.register_number % 17 else
        str(u.register_number),
        "PakalpojumaSniedzejaNosaukums": u.name_on(on),
        "RegistracijasNumurs": u.legal_code,
        "JuridiskaisStatuss": u.legal_status,
        "Statuss": status,
        "SniedzamaPakalpojumaNosaukums": rec.get("current_name", on),
        "PakalpojumaSniegsanasForma": form,
        "PlanotaisKlientuSkaits": rec.get("capacity", on),
        "KlientiPecVecumaUnDzimuma": rec.age_gender,
        "KlientuGrupas": [{"KlientuGrupasNosaukums": CLIENT_GROUPS_NEW[g]} for g in rec.client_groups],
        "FaktiskaAdrese": {"Adrese": sample.address(rec, on), "VZDKods": rec.get("place", on).address_code},
        "KontaktInformacija": None if u.register_number % 5 > 1 else {
                               "Talrunis": f"+371 2{u.register_number * 7919 % 10000000:07d}",
                               "Epasts": f"info{u.register_number}@example.lv",
                               "Vaditajs": f"{FIRST_NAMES[u.register_number % 11]} "
                                           f"{LAST_NAMES[u.register_number % 10]}"},
    }
    if item["KontaktInformacija"] is None:
        del item["KontaktInformacija"]
    if rec.show_registration:
        item["RegistresanasDatums"] = _fmt(rec.registered_on)
    if not rec.client_groups and u.register_number % 2:
        del item["KlientuGrupas"]
    return item


def json_records(sample: RegisterSample, on: dt.date) -> list[dict]:
    rng = random.Random(on.toordinal())
    out = []
    for rec in sample.snapshot_records(on):
        status = rng.choice(JSON_STATUS[rec.status(on)])
        out.append(json_item(sample, rec, on, status, service_form(rec, rng)))
    return out


def _bad_legacy_rows(year: int) -> list[list[str]]:
    """Rows the pipeline must quarantine (never in the calibrated 2012 snapshot)."""
    if year == 2013:
        return [["", "Biedrība “Bez numura”", "40008999999", "Biedrība", "dienas centrs", "Skolas iela 1",
                 "Ogres novads", "", "10", "sniedz pakalpojumus", "01.02.2012", ""],
                ["9001", "SIA “Bez statusa”", "40008999998", "SIA", "aprūpe mājās", "Rīgas iela 2", "Rīga", "",
                 "", "", "01.03.2012", ""]]
    if year == 2015:
        return [["9002", "Biedrība “Bez pakalpojuma”", "40008999997", "Biedrība", "", "Parka iela 3",
                 "Cēsu novads", "", "", "plāno sniegt", "05.05.2014", ""]]
    return []


def _bad_json_records(year: int) -> list[dict]:
    if year == 2019:
        return [{"PakalpojumaSniedzejaRegistracijasNumurs": 9003,
                 "PakalpojumaSniedzejaNosaukums": "Biedrība “Bez adreses”",
                 "RegistracijasNumurs": "40008999996", "JuridiskaisStatuss": "Biedrība", "Statuss": "Sniedz",
                 "SniedzamaPakalpojumaNosaukums": "dienas centrs", "FaktiskaAdrese": None}]
    if year == 2024:
        return [{"PakalpojumaSniedzejaNosaukums": "SIA “Bez numura”", "RegistracijasNumurs": "40008999995",
                 "JuridiskaisStatuss": "SIA", "Statuss": "Sniedz", "SniedzamaPakalpojumaNosaukums": "aprūpe mājās",
                 "FaktiskaAdrese": {"Adrese": "Pils iela 1, Bauskas nov., LV-3901", "VZDKods": "100000001"},
                 "Piezimes": "lauks, kura nav datu aprakstā"}]
    return []


def write_register(landing: Path, seed: int = 20120102) -> dict[str, int]:
    """Write every register snapshot into landing/registry; return records written per file."""
    sample = RegisterSample(seed).build()
    folder = landing / "registry"
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for year in SNAPSHOT_YEARS:
        on = dt.date(year, 1, 2)
        if year in LEGACY_YEARS:
            rows = legacy_rows(sample, on) + _bad_legacy_rows(year)
            kind, enc = LEGACY_FORMATS[year]
            name = f"sps_registrs_{on.isoformat()}.{kind}"
            if kind == "csv":
                buf = io.StringIO()
                w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
                w.writerow(LEGACY_HEADER)
                w.writerows(rows)
                (folder / name).write_bytes(buf.getvalue().encode(enc))
            else:
                write_xlsx(folder / name, LEGACY_HEADER, rows, title=enc == "title", on=on)
        else:
            rows = json_records(sample, on) + _bad_json_records(year)
            payload = json.dumps({"data": rows}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            name = f"pakalpojumusniedzejudati_{on:%Y%m%d}.json"
            if year in PLAIN_JSON_YEARS:
                (folder / name).write_bytes(payload)
            else:
                # Most snapshots ship gzip-compressed to keep the committed sample small; mtime=0 keeps bytes stable.
                name += ".gz"
                (folder / name).write_bytes(gzip.compress(payload, mtime=0))
        written[name] = len(rows)
    return written


def write_xlsx(path: Path, header: list[str], rows: Iterable[list[str]], title: bool, on: dt.date,
               streaming: bool = False) -> int:
    """Write a legacy export workbook; return the rows written. `streaming` writes rows as they come (openpyxl's
    write-only mode), which a benchmark-sized snapshot needs; the shipped sample keeps the ordinary mode its
    committed bytes came from."""
    from openpyxl import Workbook

    from ingestion.sample.other_sources import deterministic_xlsx

    wb = Workbook(write_only=streaming)
    ws = wb.create_sheet("Reģistrs") if streaming else wb.active
    ws.title = "Reģistrs"
    if title:
        ws.append([f"Sociālo pakalpojumu sniedzēju reģistrs uz {on:%d.%m.%Y}"])
    ws.append(header)
    count = 0
    for r in rows:
        # Register numbers and capacities come as numbers from the spreadsheet, as they would from Excel.
        ws.append([int(v) if j in (0, 8) and v.isdigit() else v for j, v in enumerate(r)])
        count += 1
    wb.properties.created = wb.properties.modified = dt.datetime(on.year, on.month, on.day)
    path.write_bytes(deterministic_xlsx(wb))
    return count
