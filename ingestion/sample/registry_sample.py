"""Deterministic sample of the Social Service Providers Register: legacy CSV/XLSX snapshots 2010–2016 and JSON
snapshots 2017–2026, calibrated so that the published figures of the seed documents come out of the marts
(the 2 January 2012 snapshot and the Zemgale planning region on 2 January 2023).

A register record is one unit's one service (a canonical service code) at one place. It keeps its code and its
place through the 2016→2017 format switch and the 2021 reform; what changes is how the formats write it (the
wording, the address with or without municipality and postcode) and the events of registry_events.py.
Its parts are in registry_model.py; registry_files.py writes its snapshots."""

from __future__ import annotations

import datetime as dt
import random
import re

from ingestion.sample.registry_events import draw_events
from ingestion.sample.registry_model import (
    AGE_GENDER,
    CALIBRATION_DATE,
    CLIENT_GROUPS_NEW,
    COHORTS_2012,
    FIRST_NAMES,
    LAST_NAMES,
    LEGAL_STATUSES,
    NO_DIACRITICS,
    NO_QUOTES,
    PARISHES,
    QUOTES,
    REFORM,
    STREETS,
    WORDS,
    ZEMGALE_DATE,
    ZEMGALE_PROVIDERS,
    Municipality,
    Place,
    Record,
    Unit,
    in_shares,
    load_municipalities,
    rand_date,
    version_on,
)
from ingestion.sample.registry_services import SERVICE_NAMES, code_counts_2012
from ingestion.sample.world import load_territorial_units

IN_PARISH = re.compile(r", [^,]+ pag\.$")  # a street part naming its parish: `“Ozoli”, Salas pag.`


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
            reg = rand_date(rng, start, end)
            unit = self._new_unit(codes[i])
            for _ in range(size):
                code = codes[i]
                if status == "providing":
                    prov = min(reg + dt.timedelta(days=rng.randint(0, 200)), CALIBRATION_DATE)
                    stop = None if rng.random() < 0.9 else rand_date(rng, dt.date(2013, 1, 1), dt.date(2025, 6, 1))
                elif status == "planning":
                    prov = rand_date(rng, dt.date(2012, 2, 1), dt.date(2014, 12, 31)) if rng.random() < 0.85 else None
                    stop = None if prov else rand_date(rng, dt.date(2013, 1, 1), dt.date(2016, 12, 31))
                else:
                    prov = reg + dt.timedelta(days=rng.randint(0, 200))
                    stop = rand_date(rng, max(dt.date(2010, 3, 1), prov + dt.timedelta(days=1)),
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
                reg = rand_date(rng, max(dt.date(year, 1, 3), CALIBRATION_DATE + dt.timedelta(days=1)),
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
        self._place_in_territories()

    def _place_in_territories(self) -> None:
        """Give each distinct address its city, town or parish of the seed `territorial_units`, in the 2021
        municipality of its unit, with a random stream of its own (the universe's draws stay as they were). A
        place in a state city (or a pre-reform city that is a town today) lies in that city; elsewhere half the
        places lie in a town, half in a parish (`Madliena, Madlienas pag.` or `Madlienas pag.`), and a street part
        that names a parish names one of its municipality's. One address in twenty is written without its place
        (it stays unresolved). Numbering is unchanged: it keyed on the street part as first drawn."""
        rng = random.Random(f"{self.seed}:territories")
        units = load_territorial_units()
        done: dict[tuple[str, str], tuple[str, str]] = {}
        for unit in self.units:
            m = self.munis[unit.municipality]
            here = units[version_on(self.munis, m.code, REFORM).code]
            for place in unit.places:
                key = (unit.municipality, place.street)
                if key not in done:
                    done[key] = self._territory_of(place.street, m, here, rng)
                place.street, place.locality = done[key]

    @staticmethod
    def _territory_of(street: str, m: Municipality, here: list, rng: random.Random) -> tuple[str, str]:
        """(street part, locality) of an address in municipality version `m` whose 2021 units are `here`."""
        city = next((u for u in here if u.kind == "city" and u.name == m.name), None)
        parishes = [u for u in here if u.kind == "parish"]
        towns = [u for u in here if u.kind != "parish"]
        if city or not parishes:
            return IN_PARISH.sub("", street), (city or towns[0]).name
        if IN_PARISH.search(street):
            return IN_PARISH.sub(", " + rng.choice(parishes).address_name, street), ""
        if rng.random() < 0.05:
            return street, ""
        if towns and rng.random() < 0.5:
            return street, rng.choice(towns).name
        parish = rng.choice(parishes)
        return street, f"{parish.village}, {parish.address_name}" if rng.random() < 0.6 else parish.address_name

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
        locality = f"{place.locality}, " if place.locality and place.locality != written else ""
        return f"{place.street}, {locality}{written}, {place.postcode}"

    def snapshot_records(self, on: dt.date) -> list[Record]:
        return [r for u in self.units for r in u.records if r.listed(on)]
