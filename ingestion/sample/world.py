"""What every non-register source of the sample draws on: the municipalities of the seed with their
populations and registration numbers (`World`), Latvian number formatting, and workbooks written byte-identically."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from ingestion.common import WITHOUT_DIACRITICS

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
MUNICIPALITIES_CSV = SEEDS / "municipalities.csv"
TERRITORIAL_UNITS_CSV = SEEDS / "territorial_units.csv"

POPULATION_YEARS = range(2010, 2026)
REFORM = dt.date(2021, 7, 1)
NBSP = "\u00a0"
NO_DIACRITICS = WITHOUT_DIACRITICS  # text written without diacritics, as some exports are
# Fixed zip-entry and core-property time: openpyxl stamps "now" into both, which would break byte-identical output.
XLSX_TIMESTAMP = dt.datetime(2012, 1, 2, 0, 0, 0)
RIGA_PRE_REFORM_ATVK = "0010000"

CITY_POPULATION_2010 = {"0010000": 672_000, "0050000": 98_500, "0170000": 79_500, "0090000": 62_500,
                        "0130000": 50_800, "0270000": 39_500, "0210000": 33_200, "0250000": 25_900,
                        "0110000": 24_800}
RIGA_POPULATION_2021 = 614_618


@dataclass(frozen=True)
class Municipality:
    atvk: str
    name: str
    genitive: str
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None
    successor: str | None
    region: str

    @property
    def is_city(self) -> bool:
        return not self.name.endswith(" novads")

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def authority(self) -> str:
        if not self.is_city:
            return f"{self.genitive} pašvaldība"
        city = "valstspilsētas" if self.valid_from >= REFORM else "pilsētas"
        return f"{self.genitive} {city} pašvaldība"

    @property
    def locative(self) -> str:
        if not self.is_city:
            return self.name[: -len("novads")] + "novadā"
        return f"{self.genitive} {'valstspilsētā' if self.valid_from >= REFORM else 'pilsētā'}"


def load_municipalities(path: Path = MUNICIPALITIES_CSV) -> list[Municipality]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    munis = []
    for r in rows:
        name = r["name_lv"]
        genitive = r["name_genitive"] or (name[:-1] + "a" if name.endswith(" novads") else name)
        munis.append(Municipality(
            atvk=r["atvk_code"], name=name, genitive=genitive, kind=r["municipality_type"],
            valid_from=dt.date.fromisoformat(r["valid_from"]),
            valid_to=dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
            successor=r["successor_atvk_code"] or None,
            region=r.get("statistical_region_2021_2023") or r.get("statistical_region") or "",
        ))
    return munis


@dataclass(frozen=True)
class TerritorialUnit:
    municipality: str  # 2021 ATVK code
    name: str  # `Madlienas pagasts`, `Bauska`, `Rīga`
    kind: str  # city / town / parish
    address_name: str  # as addresses write it: `Madlienas pag.`

    @property
    def village(self) -> str:
        """A village named after its parish, as the parish's centre often is: `Madlienas pag.` -> `Madliena`."""
        stem = self.name.removesuffix(" pagasts")
        for ending, nominative in (("as", "a"), ("es", "e"), ("u", "i"), ("s", "")):
            if stem.endswith(ending):
                return stem[: -len(ending)] + nominative
        return stem


def load_territorial_units(path: Path = TERRITORIAL_UNITS_CSV) -> dict[str, list[TerritorialUnit]]:
    """The seed's cities, towns and parishes by their 2021 municipality's code, in the seed's order."""
    units: dict[str, list[TerritorialUnit]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            units.setdefault(r["municipality_atvk_code"], []).append(
                TerritorialUnit(r["municipality_atvk_code"], r["unit_name"], r["unit_type"], r["address_name"]))
    return units


def municipalities_for_year(munis: list[Municipality], year: int) -> list[Municipality]:
    """Municipalities valid at the end of `year`, plus, for 2021, the pre-reform ones valid on 1 January."""
    chosen = [m for m in munis if m.valid_on(dt.date(year, 12, 31))]
    if year == REFORM.year:
        chosen = [m for m in munis if m.valid_on(dt.date(year, 1, 1))] + chosen
    return chosen


def date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def format_number(value: float, sep: str, decimals: int = 2) -> str:
    """Latvian style: thousands separated by `sep`, decimal comma (`1 234 567,89`)."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\0").replace(".", ",").replace("\0", sep)
    return f"-{text}" if value < 0 else text


def decimal_comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def without_diacritics(text: str) -> str:
    return text.translate(NO_DIACRITICS)


class World:
    """Shared facts every source draws on: municipalities, their populations and registration numbers."""

    def __init__(self, seed: int):
        self.seed = seed
        self.munis = load_municipalities()
        self.by_code = {m.atvk: m for m in self.munis}
        self.population = self._population(random.Random(f"{seed}:population"))
        self.reg_numbers = self._reg_numbers(random.Random(f"{seed}:regno"))

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def predecessors(self, atvk: str) -> list[Municipality]:
        return [m for m in self.munis if m.successor == atvk]

    def _population(self, rng: random.Random) -> dict[str, dict[int, int]]:
        pre = [m for m in self.munis if m.valid_to is not None and m.valid_to < REFORM]
        # Pre-reform series run to 2025 internally so that post-reform values are sums of their predecessors.
        series: dict[str, dict[int, int]] = {}
        for m in pre:
            if m.atvk == RIGA_PRE_REFORM_ATVK:
                base = CITY_POPULATION_2010[m.atvk]
                rate = (RIGA_POPULATION_2021 / base) ** (1 / 11) - 1
            elif m.atvk in CITY_POPULATION_2010:
                base, rate = CITY_POPULATION_2010[m.atvk], rng.uniform(-0.02, -0.008)
            else:
                base = min(30_000, max(2_000, math.exp(rng.gauss(math.log(8_000), 0.6))))
                growing = "Pierīgas" in m.region
                rate = rng.uniform(-0.002, 0.02) if growing else rng.uniform(-0.025, -0.008)
            series[m.atvk] = {y: round(base * (1 + rate) ** (y - 2010)) for y in POPULATION_YEARS}
        post = [m for m in self.munis if m.valid_from >= REFORM]
        for m in sorted(post, key=lambda m: m.valid_from):
            sources = [p.atvk for p in self.predecessors(m.atvk) if p.atvk in series]
            series[m.atvk] = {y: sum(series[s][y] for s in sources) for y in POPULATION_YEARS} if sources else {
                y: rng.randint(5_000, 20_000) for y in POPULATION_YEARS}
        return series

    def _reg_numbers(self, rng: random.Random) -> dict[str, str]:
        # A post-reform municipality that kept its predecessor's name kept its registration number too.
        numbers: dict[str, str] = {}
        by_name: dict[str, str] = {}
        used: set[str] = set()
        for m in sorted(self.munis, key=lambda m: m.valid_from):
            if m.name in by_name:
                numbers[m.atvk] = by_name[m.name]
                continue
            number = f"9000{rng.randint(0, 9_999_999):07d}"
            while number in used:
                number = f"9000{rng.randint(0, 9_999_999):07d}"
            used.add(number)
            numbers[m.atvk] = by_name[m.name] = number
        return numbers

    def lineage(self, m: Municipality) -> str:
        """Code of the first municipality of the same name, so that Rīga of 2009 and of 2022 share their habits."""
        return min((o for o in self.munis if o.name == m.name), key=lambda o: o.valid_from).atvk

    def population_in(self, m: Municipality, year: int) -> int:
        values = self.population[m.atvk]
        return values.get(year) or values[min(values, key=lambda y: abs(y - year))]


def deterministic_xlsx(wb: openpyxl.Workbook) -> bytes:
    """The workbook's bytes with fixed zip-entry and document times, so regenerating gives identical files."""
    raw = io.BytesIO()
    wb.save(raw)
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()
