"""Deterministic sample of every non-register source of docs/inputs.md: CFLA project lists, the APIA workbook, municipal
budgets, social-service statistics, staffing and population. The real published figures of issues 3 (APIA round 1)
and 4 (Rīga home care, Jēkabpils novads) are planted so that the marts can reproduce them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from ingestion.common import WITHOUT_DIACRITICS

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
MUNICIPALITIES_CSV = SEEDS / "municipalities.csv"

LVL_PER_EUR = 0.702804
EURO_FROM_YEAR = 2014
BUDGET_YEARS = range(2009, 2026)
POPULATION_YEARS = range(2010, 2026)
REFORM = dt.date(2021, 7, 1)
NBSP = "\u00a0"
NO_DIACRITICS = WITHOUT_DIACRITICS  # text written without diacritics, as some exports are
# Fixed zip-entry and core-property time: openpyxl stamps "now" into both, which would break byte-identical output.
XLSX_TIMESTAMP = dt.datetime(2012, 1, 2, 0, 0, 0)

# --- Published figures (issue 3): APIA activity 1.4.1.2.4, round 1, planned services ----------------------------
# The presentation's "social rehabilitation services" are day-care centres, social rehabilitation institutions and
# a crisis centre, so that category spans three canonical service codes.
APIA_PRESENTATION_CATEGORY = {
    "day_care_centre": "social_rehabilitation",
    "social_rehabilitation_institution": "social_rehabilitation",
    "crisis_centre": "social_rehabilitation",
    "social_rehabilitation": "social_rehabilitation",
    "assistant_escort": "assistant_escort",
    "respite": "respite",
    "specialised_workshop": "specialised_workshop",
    "home_care": "home_care",
}
APIA_ROUND1_FIGURES = {
    ("jauns", "social_rehabilitation"): 26,
    ("jauns", "assistant_escort"): 3,
    ("jauns", "respite"): 2,
    ("jauns", "specialised_workshop"): 1,
    ("pilnveidots", "social_rehabilitation"): 22,
    ("pilnveidots", "home_care"): 4,
}
APIA_ROUND1_MOBILE_BRIGADES = 3
# Round-1 planned services as (raw name as written in the workbook, service code, novelty, how many).
APIA_ROUND1_SERVICES: list[tuple[str, str, str, int]] = [
    ("dienas aprūpes centrs", "day_care_centre", "jauns", 5),
    ("Dienas aprūpes centrs", "day_care_centre", "jauns", 3),
    ("dienas aprūpes centrs bērniem ar funkcionāliem traucējumiem", "day_care_centre", "jauns", 3),
    ("Dienas aprūpes centrs pilngadīgām personām ar garīga rakstura traucējumiem", "day_care_centre", "jauns", 2),
    ("cits: dienas aprūpes centrs", "day_care_centre", "jauns", 1),
    ("sociālās rehabilitācijas institūcija", "social_rehabilitation_institution", "jauns", 6),
    ("Sociālās rehabilitācijas institūcija", "social_rehabilitation_institution", "jauns", 3),
    ("sociālā rehabilitācija institūcijā", "social_rehabilitation_institution", "jauns", 2),
    ("krīzes centrs ģimenēm ar bērniem", "crisis_centre", "jauns", 1),
    ("asistenta pakalpojums", "assistant_escort", "jauns", 1),
    ("Asistenta un pavadoņa pakalpojumi", "assistant_escort", "jauns", 1),
    ("pavadoņa pakalpojums", "assistant_escort", "jauns", 1),
    ("atelpas brīdis", "respite", "jauns", 1),
    ("cits: atelpas brīža pakalpojums", "respite", "jauns", 1),
    ("specializētās darbnīcas", "specialised_workshop", "jauns", 1),
    ("dienas aprūpes centrs", "day_care_centre", "pilnveidots", 7),
    ("Dienas aprūpes centrs pilngadīgām personām ar garīga rakstura traucējumiem", "day_care_centre",
     "pilnveidots", 3),
    ("dienas aprūpes centrs bērniem ar funkcionāliem traucējumiem", "day_care_centre", "pilnveidots", 2),
    ("sociālās rehabilitācijas institūcija", "social_rehabilitation_institution", "pilnveidots", 6),
    ("Sociālā rehabilitācija institūcijā", "social_rehabilitation_institution", "pilnveidots", 4),
    ("aprūpe mājās", "home_care", "pilnveidots", 1),
    ("mobilā brigāde", "home_care", "pilnveidots", 1),
    ("Mobilā brigāde", "home_care", "pilnveidots", 1),
    ("aprūpe mājās (mobilā brigāde)", "home_care", "pilnveidots", 1),
]
APIA_ROUND1_PROJECTS = 30
# Innovative methods named in the presentation; each appears once in round 1 with `Inovatīvs` = "jā".
APIA_INNOVATIVE_METHODS = [
    "mākslas terapija",
    "pasaku terapija",
    "mūzikas un kustību terapija",
    "smilšu terapija",
    "sensorais dārzs un sensorā istaba",
    "telemedicīna paliatīvajā aprūpē",
    "medicīniskās rehabilitācijas elementi",
    "starppašvaldību sadarbība",
]
APIA_ROUND2_SERVICES: list[tuple[str, str]] = [
    ("grupu dzīvoklis", "group_home"), ("Grupu māja (dzīvoklis)", "group_home"),
    ("pusceļa māja", "halfway_house"), ("dienas centrs", "day_centre"), ("cits: dienas centrs", "day_centre"),
    ("atbalsta centrs ģimenēm ar bērniem", "support_centre"), ("citi: īslaicīgā sociālā aprūpe", "short_term_care"),
    ("Dienas aprūpes centrs", "day_care_centre"), ("sociālās rehabilitācijas institūcija",
                                                   "social_rehabilitation_institution"),
    ("Aprūpe mājās", "home_care"), ("asistenta pakalpojums", "assistant_escort"), ("atelpas brīdis", "respite"),
    ("specializētā darbnīca", "specialised_workshop"), ("krīzes centrs", "crisis_centre"),
]
APIA_PROJECT_COLUMNS = ["Projekta Nr.", "Nosaukums", "Finansējuma saņēmējs", "Reģ. Nr.", "Pašvaldība", "Kārta",
                        "Statuss", "Sākuma datums", "Beigu datums", "Kopējās izmaksas, LVL", "ESF finansējums, LVL"]
APIA_SERVICE_COLUMNS = ["Projekta Nr.", "Pakalpojums", "Jauns vai pilnveidots", "Inovatīvs", "Metode",
                        "Mērķa grupa", "Plānotais klientu skaits"]

# --- Published figures (issue 4) ------------------------------------------------------------------------------
RIGA_PRE_REFORM_ATVK = "0010000"
JEKABPILS_NOVADS_ATVK = "0031000"
RIGA_HOME_CARE_CLIENTS = {2009: 3941, 2010: 4144, 2011: 4678, 2012: 5203, 2013: 5748, 2014: 6602, 2015: 7457,
                          2016: 8151}

# Service names written in `Pakalpojums` of soc_pakalpojumi_YYYY.csv -> (canonical service code, provision).
# Provision says who delivers it (own staff / purchased from another provider); None where the form does not split.
# Up to 2016 the old form has one line per service; from 2017 (MK 2017 Nr.324) home care and long-term care split.
STATISTICS_SERVICES: dict[str, tuple[str, str | None]] = {
    "Aprūpe mājās": ("home_care", None),
    "Aprūpe mājās (pašvaldības darbinieki)": ("home_care", "own"),
    "Aprūpe mājās (pirkts pakalpojums)": ("home_care", "purchased"),
    "Dienas aprūpes centrs": ("day_care_centre", None),
    "Ilgstošās sociālās aprūpes institūcija": ("ltc_institution", None),
    "Ilgstoša sociālā aprūpe pilngadīgām personām (pašvaldības institūcija)": ("ltc_institution", "own"),
    "Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)": ("ltc_institution", "purchased"),
    "Krīzes centrs": ("crisis_centre", None),
    "Grupu dzīvoklis": ("group_home", None),
}
HOME_CARE = "Aprūpe mājās"
HOME_CARE_OWN = "Aprūpe mājās (pašvaldības darbinieki)"
HOME_CARE_PURCHASED = "Aprūpe mājās (pirkts pakalpojums)"
DAY_CARE = "Dienas aprūpes centrs"
LTC_OLD = "Ilgstošās sociālās aprūpes institūcija"
LTC_OWN = "Ilgstoša sociālā aprūpe pilngadīgām personām (pašvaldības institūcija)"
LTC_PURCHASED = "Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)"
CRISIS_CENTRE = "Krīzes centrs"
GROUP_HOME = "Grupu dzīvoklis"
STATISTICS_NEW_FORM_FROM = 2017
# Jēkabpils novads, EUR, (service, year) -> (clients, expenditure). Expenditure is published; clients are modelled.
JEKABPILS_FIGURES: dict[tuple[str, int], tuple[int, int]] = {
    (HOME_CARE_OWN, 2021): (142, 129254), (HOME_CARE_OWN, 2022): (151, 148923), (HOME_CARE_OWN, 2023): (118, 123870),
    (HOME_CARE_PURCHASED, 2021): (38, 34327), (HOME_CARE_PURCHASED, 2022): (104, 118385),
    (HOME_CARE_PURCHASED, 2023): (186, 234371),
    (LTC_PURCHASED, 2021): (98, 910030), (LTC_PURCHASED, 2022): (107, 1084505), (LTC_PURCHASED, 2023): (112, 1231014),
    (CRISIS_CENTRE, 2021): (64, 125621), (CRISIS_CENTRE, 2022): (71, 148011), (CRISIS_CENTRE, 2023): (86, 200545),
}

# Functional codes kept in the budget sample; 10.000 is the group total line, the sum of the others, as the
# Treasury prints it (so never sum 10.000 with its subcodes).
FUNCTION_TOTAL_CODE = "10.000"
FUNCTION_PER_CAPITA_EUR_2014 = {"10.100": 9.0, "10.200": 24.0, "10.400": 38.0, "10.700": 31.0, "10.900": 44.0}

BUDGET_HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Funkcijas kods", "Funkcijas nosaukums", "Plāns", "Izpilde",
                 "Valūta"]
STATISTICS_HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Pakalpojums", "Klientu skaits", "Izdevumi", "Valūta"]
STAFFING_HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Sociālā darba speciālisti", "Citi darbinieki"]

CFLA_COLUMNS = {  # canonical field -> name per programming period (real CFLA names)
    "number": ("ProjektaNumurs", "ProjektaNumurs"),
    "title": ("ProjektaNosaukums", "ProjektaNosaukums"),
    "status": ("ProjektaStatuss", "ProjektaStatuss"),
    "fund": ("Fonds", "EsFonds"),
    "total": ("ProjektaKopejasIzmaksas", "KopejaisFinansejums"),
    "eu": ("ProjektamPieskirtaisESFonduLidzfinansejums", "EsFonduLidzfinansejums"),
    "start": ("ProjektaIeviesanasSakumaDatums", "SakumaDatums"),
    "end": ("ProjektaIeviesanasBeiguDatums", "BeiguDatums"),
    "target": ("ProjektaMerkaGrupa", "MerkaGrupa"),
    "applicant": ("IesniedzejaNosaukums", "IesniedzejaNosaukums"),
    "applicant_reg": ("IesniedzejaRegNo", "IesniedzejaRegNo"),
}
LAST_START = dt.date(2025, 12, 31)  # the sample stands at the end of 2025
SOCIAL_MEASURES = ("9.2.2.1", "9.2.2.2", "9.3.1.1", "4.3.5.1")

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


def municipalities_for_year(munis: list[Municipality], year: int) -> list[Municipality]:
    """Municipalities valid at the end of `year`, plus, for 2021, the pre-reform ones valid on 1 January."""
    chosen = [m for m in munis if m.valid_on(dt.date(year, 12, 31))]
    if year == REFORM.year:
        chosen = [m for m in munis if m.valid_on(dt.date(year, 1, 1))] + chosen
    return chosen


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def _format_number(value: float, sep: str, decimals: int = 2) -> str:
    """Latvian style: thousands separated by `sep`, decimal comma (`1 234 567,89`)."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\0").replace(".", ",").replace("\0", sep)
    return f"-{text}" if value < 0 else text


def _decimal_comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _without_diacritics(text: str) -> str:
    return text.translate(NO_DIACRITICS)


class _World:
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


# --- EU funds: CFLA lists -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Measure:
    code: str
    fund: str
    count: int
    call_years: tuple[int, ...]
    selection: str  # "I" limited, "A" open call; "IA" either
    applicant: str  # "municipality" or a key of APPLICANTS
    titles: tuple[str, ...]
    targets: tuple[str, ...]
    cost: tuple[int, int]
    eu_share: float


APPLICANTS = {  # non-municipal applicants: (name, registration number); numbers are synthetic
    "science": [("Latvijas Universitāte", "90000076669"), ("Rīgas Tehniskā universitāte", "90000068977"),
                ("Latvijas Biozinātņu un tehnoloģiju universitāte", "90000041898"),
                ("Rīgas Stradiņa universitāte", "90000013771"), ("Daugavpils Universitāte", "90000065754"),
                ("Vidzemes Augstskola", "90001321040"), ("Liepājas Universitāte", "90000036859"),
                ("Latvijas Organiskās sintēzes institūts", "90002111653")],
    "company": [('SIA "Vidzemes koks"', "40003518872"), ('SIA "Zemgales enerģija"', "40103297341"),
                ('AS "Baltijas metāls"', "40003033745"), ('SIA "Kurzemes ūdeņi"', "41203015534"),
                ('SIA "Latgales dārzi"', "41503028116"), ("SIA “Rīgas tehnoparks”", "40103874412"),
                ('Dzīvokļu īpašnieku biedrība "Liepas 7"', "40008212345")],
    "agency_employment": [("Nodarbinātības valsts aģentūra", "90001634668")],
    "agency_welfare": [("Labklājības ministrija", "90000022399"),
                       ("Sociālās integrācijas valsts aģentūra", "90001805964")],
}

DI_TARGET_GROUP = ("Pilngadīgas personas ar garīga rakstura traucējumiem, bērni ar funkcionāliem traucējumiem, "
                   "ārpusģimenes aprūpē esoši bērni")
CFLA_2014_2020 = [
    _Measure("1.1.1.1", "ERAF", 40, (16, 17, 18), "A", "science",
             ("Praktiskas ievirzes pētījums: {topic}", "Jaunu materiālu izstrāde {topic} nozarei"),
             ("Zinātniskās institūcijas", "Pētnieki"), (150_000, 650_000), 0.85),
    _Measure("1.1.1.2", "ERAF", 20, (16, 17), "A", "science", ("Pēcdoktorantūras pētījums: {topic}",),
             ("Pēcdoktoranti",), (90_000, 140_000), 0.85),
    _Measure("3.3.1.0", "ERAF", 25, (16, 17, 18), "I", "municipality",
             ("Uzņēmējdarbības infrastruktūras attīstība {loc}", "Industriālās teritorijas sakārtošana {loc}"),
             ("Komersanti", "Pašvaldības"), (400_000, 3_500_000), 0.85),
    _Measure("4.2.1.1", "ERAF", 25, (16, 17), "A", "company",
             ("Daudzdzīvokļu dzīvojamās mājas energoefektivitātes paaugstināšana",),
             ("Dzīvokļu īpašnieki",), (150_000, 900_000), 0.49),
    _Measure("4.2.2.0", "ERAF", 30, (16, 17, 18), "I", "municipality",
             ("Pašvaldības ēkas energoefektivitātes paaugstināšana {loc}", "Sporta zāles siltināšana {loc}"),
             ("Pašvaldības", "Pašvaldību iestādes"), (200_000, 1_500_000), 0.85),
    _Measure("5.6.2.0", "ERAF", 30, (16, 17, 18, 19), "I", "municipality",
             ("Degradētās teritorijas revitalizācija {loc}", "Ielu infrastruktūras atjaunošana {loc}"),
             ("Pašvaldības, komersanti",), (500_000, 4_000_000), 0.85),
    _Measure("8.1.2.0", "ERAF", 30, (16, 17), "I", "municipality",
             ("Vispārējās izglītības iestāžu mācību vides uzlabošana {loc}",),
             ("Izglītojamie, pedagogi",), (300_000, 2_500_000), 0.85),
    _Measure("9.1.1.1", "ESF", 8, (15,), "I", "agency_employment",
             ("Subsidētās darbvietas bezdarbniekiem", "Atbalsts bezdarbnieku nodarbinātībai"),
             ("Bezdarbnieki", "Ilgstošie bezdarbnieki"), (2_000_000, 12_000_000), 0.85),
    _Measure("9.2.2.1", "ESF", 10, (15,), "I", "municipality",
             ("Deinstitucionalizācija un sabiedrībā balstītu sociālo pakalpojumu attīstība {loc}",
              "Sabiedrībā balstītu sociālo pakalpojumu plāna īstenošana {loc}"),
             (DI_TARGET_GROUP,), (800_000, 6_000_000), 0.85),
    _Measure("9.2.2.2", "ESF", 8, (16, 17), "I", "municipality",
             ("Sociālo pakalpojumu pieejamības uzlabošana {loc}", "Atbalsta pakalpojumi ģimenēm ar bērniem {loc}"),
             ("Personas ar invaliditāti", "Ģimenes ar bērniem"), (150_000, 900_000), 0.85),
    _Measure("9.3.1.1", "ERAF", 22, (16, 17), "I", "municipality",
             ("Pakalpojumu infrastruktūras attīstība deinstitucionalizācijas plānu īstenošanai {loc}",
              "Dienas aprūpes centra un grupu dzīvokļu izveide {loc}",
              "Sabiedrībā balstītu sociālo pakalpojumu infrastruktūras izveide {loc}"),
             ("Pilngadīgas personas ar garīga rakstura traucējumiem", "Bērni ar funkcionāliem traucējumiem",
              "Ārpusģimenes aprūpē esoši bērni"), (150_000, 1_800_000), 0.85),
    _Measure("9.2.3.0", "ESF", 12, (15, 16), "I", "agency_welfare",
             ("Atbalsts prioritāro veselības jomu veselības tīklu attīstības vadlīniju ieviešanai",
              "Sociālā darba kvalitātes pilnveide"), ("Sociālie darbinieki",), (500_000, 5_000_000), 0.85),
    _Measure("9.2.4.2", "ESF", 20, (16, 17), "I", "municipality",
             ("Pasākumi vietējās sabiedrības veselības veicināšanai {loc}",),
             ("Iedzīvotāji, jo īpaši teritoriālās atstumtības riskam pakļautie",), (60_000, 400_000), 0.85),
    _Measure("8.3.2.2", "ESF", 20, (16, 17), "I", "municipality",
             ("Atbalsts izglītojamo individuālo kompetenču attīstībai {loc}",),
             ("Izglītojamie",), (80_000, 600_000), 0.85),
]
CFLA_2021_2027 = [
    _Measure("1.1.1.1", "ERAF", 25, (23, 24), "A", "science",
             ("Praktiskas ievirzes pētījums: {topic}", "Lietišķais pētījums par {topic}"),
             ("Zinātniskās institūcijas",), (200_000, 800_000), 0.85),
    _Measure("1.2.1.1", "ERAF", 15, (23, 24), "A", "company",
             ("Jaunu produktu ieviešana ražošanā", "Inovāciju atbalsts komersantam"),
             ("Komersanti",), (100_000, 1_000_000), 0.6),
    _Measure("2.1.1.1", "ERAF", 20, (23, 24), "I", "municipality",
             ("Pašvaldības ēku energoefektivitātes uzlabošana {loc}",),
             ("Pašvaldības",), (300_000, 2_000_000), 0.85),
    _Measure("2.2.1.1", "KF", 10, (23,), "I", "company",
             ("Ūdenssaimniecības pakalpojumu attīstība",), ("Iedzīvotāji",), (500_000, 3_000_000), 0.85),
    _Measure("3.1.1.1", "ERAF", 15, (23, 24), "I", "municipality",
             ("Vietējo autoceļu pārbūve {loc}",), ("Iedzīvotāji, komersanti",), (800_000, 5_000_000), 0.85),
    _Measure("4.2.1.1", "ERAF", 20, (23, 24), "I", "municipality",
             ("Mācību vides modernizācija {loc}",), ("Izglītojamie",), (400_000, 3_000_000), 0.85),
    _Measure("4.3.1.1", "ESF+", 10, (23,), "I", "agency_employment",
             ("Bezdarbnieku un darba meklētāju aktivizācija",), ("Bezdarbnieki",), (3_000_000, 20_000_000), 0.85),
    _Measure("4.3.5.1", "ESF+", 24, (23, 24), "I", "municipality",
             ("Sabiedrībā balstītu sociālo pakalpojumu attīstība {loc}",
              "Aprūpe mājās un atelpas brīža pakalpojumu pieejamība lauku teritorijās {loc}",
              "Dienas aprūpes centra pakalpojumu paplašināšana {loc}"),
             ("Personas ar invaliditāti, seniori", "Bērni ar funkcionāliem traucējumiem un viņu ģimenes",
              "Pilngadīgas personas ar garīga rakstura traucējumiem"), (100_000, 1_200_000), 0.85),
    _Measure("5.1.1.1", "ERAF", 20, (23, 24), "I", "municipality",
             ("Publiskās ārtelpas attīstība {loc}", "Uzņēmējdarbības teritorijas sasniedzamības uzlabošana {loc}"),
             ("Iedzīvotāji, komersanti",), (300_000, 2_500_000), 0.85),
]
RESEARCH_TOPICS = ["kokmateriālu pārstrādi", "biomedicīnu", "viedajām pilsētām", "pārtikas tehnoloģijām",
                   "fotoniku", "mežsaimniecību", "valodas tehnoloģijām", "klimata pārmaiņām"]


def _cfla_rows(world: _World, period: str, measures: list[_Measure], rng: random.Random) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    serials: dict[tuple[str, int, str], int] = defaultdict(int)
    for measure in measures:
        for _ in range(measure.count):
            call = rng.choice(measure.call_years)
            selection = rng.choice(measure.selection) if len(measure.selection) > 1 else measure.selection
            serials[(measure.code, call, selection)] += 1
            number = f"{measure.code}/{call:02d}/{selection}/{serials[(measure.code, call, selection)]:03d}"
            start = _date_between(rng, dt.date(2000 + call, 3, 1), min(dt.date(2000 + call + 2, 12, 31), LAST_START))
            end = start + dt.timedelta(days=rng.randint(365, 5 * 365))
            if measure.applicant == "municipality":
                candidates = [m for m in world.munis if m.valid_on(start)]
                muni = rng.choice(candidates)
                applicant, reg = muni.authority, world.reg_numbers[muni.atvk]
                title = rng.choice(measure.titles).format(loc=muni.locative)
            else:
                applicant, reg = rng.choice(APPLICANTS[measure.applicant])
                title = rng.choice(measure.titles).format(topic=rng.choice(RESEARCH_TOPICS))
            total = round(rng.uniform(*measure.cost), 2)
            eu = round(total * measure.eu_share * rng.uniform(0.97, 1.0), 2)
            status = _cfla_status(period, end, rng)
            rows.append({
                "number": number, "title": title, "status": status, "fund": measure.fund,
                "total": _decimal_comma(total), "eu": _decimal_comma(eu),
                "start": _cfla_date(start, rng), "end": _cfla_date(end, rng),
                "target": rng.choice(measure.targets), "applicant": applicant, "applicant_reg": reg,
            })
    rng.shuffle(rows)
    return rows


def _cfla_status(period: str, end: dt.date, rng: random.Random) -> str:
    if rng.random() < 0.03:
        return "Līgums lauzts"
    if end < dt.date(2025, 1, 1):
        return "Pabeigts"
    if period == "2021_2027" and rng.random() < 0.3:
        return "Apstiprināts"
    return "Īstenošanā"


def _cfla_date(day: dt.date, rng: random.Random) -> str:
    return day.strftime("%d.%m.%Y") if rng.random() < 0.5 else day.isoformat()


def _write_cfla(world: _World, landing: Path, period: str, measures: list[_Measure]) -> int:
    rng = world.rng(f"cfla:{period}")
    rows = _cfla_rows(world, period, measures, rng)
    social = [r for r in rows if r["number"].split("/")[0] in SOCIAL_MEASURES]
    # Bad rows the ingestion must reject: added beside the valid projects, never replacing one.
    # Serials 9xx are far above any real one, so a bad row never shares its number with a valid project.
    broken_amount = dict(rng.choice(social))
    broken_amount["number"] = broken_amount["number"].rsplit("/", 1)[0] + "/901"
    broken_amount["total"] = "nav zināms" if period == "2014_2020" else "—"
    second = dict(rng.choice(social))
    if period == "2014_2020":
        second["number"] = ""
    else:
        second["number"] = second["number"].rsplit("/", 1)[0] + "/902"
        second["start"] = "31.02.2023"
    for bad in (broken_amount, second):
        rows.insert(rng.randint(1, len(rows) - 1), bad)
    index = 0 if period == "2014_2020" else 1
    header = [names[index] for names in CFLA_COLUMNS.values()]
    path = landing / "esf" / f"es_fondu_projekti_{period}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=",", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for r in rows:
            writer.writerow([r[key] for key in CFLA_COLUMNS])
    return len(rows)


# --- EU funds: APIA workbook ----------------------------------------------------------------------------------

APIA_TARGETS = {
    "day_care_centre": ["pilngadīgas personas ar garīga rakstura traucējumiem", "bērni ar funkcionāliem traucējumiem",
                        "pensijas vecuma personas"],
    "social_rehabilitation_institution": ["bērni un jaunieši ar uzvedības traucējumiem",
                                          "personas ar atkarības problēmām", "vardarbībā cietušas personas"],
    "crisis_centre": ["ģimenes ar bērniem krīzes situācijā"],
    "assistant_escort": ["personas ar invaliditāti"],
    "respite": ["ģimenes, kuras aprūpē bērnus ar funkcionāliem traucējumiem"],
    "specialised_workshop": ["pilngadīgas personas ar garīga rakstura traucējumiem"],
    "home_care": ["pensijas vecuma personas", "personas ar invaliditāti"],
}
APIA_METHODS = {
    "day_care_centre": ["ergoterapija", "individuālās un grupu nodarbības", "sociālo prasmju treniņš"],
    "social_rehabilitation_institution": ["psihologa konsultācijas", "sociālā darba metodes", "atbalsta grupas"],
    "crisis_centre": ["krīzes intervence"],
    "assistant_escort": ["individuāls atbalsts ikdienā"],
    "respite": ["īslaicīga aprūpe"],
    "specialised_workshop": ["darba prasmju apmācība"],
    "home_care": ["aprūpe dzīvesvietā", "mobilā aprūpe"],
}
APIA_TITLES = ["Alternatīvo sociālās aprūpes pakalpojumu attīstība {loc}",
               "Sociālās rehabilitācijas pakalpojumu pieejamības uzlabošana {loc}",
               "Sabiedrībā balstītu sociālo pakalpojumu attīstība {loc}",
               "Dienas aprūpes centra izveide un pakalpojumu pilnveide {loc}"]


def _apia_municipality_written(m: Municipality, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return _without_diacritics(m.name)
    if roll < 0.35 and not m.is_city:
        return m.name.replace(" novads", " nov.")
    return m.name


def _apia_beneficiary(m: Municipality, rng: random.Random) -> str:
    if m.is_city:
        return rng.choice([f"{m.genitive} pilsētas dome", f"{m.genitive} pilsētas Sociālais dienests"])
    return rng.choice([f"{m.genitive} dome", f"{m.genitive} pašvaldība", f"{m.genitive} Sociālais dienests"])


def _apia_project(world: _World, m: Municipality, number: str, round_no: int, status: str,
                  start: dt.date, rng: random.Random) -> list[object]:
    total = round(rng.uniform(30_000, 200_000), 2)
    return [number, rng.choice(APIA_TITLES).format(loc=m.locative), _apia_beneficiary(m, rng),
            world.reg_numbers[m.atvk], _apia_municipality_written(m, rng), round_no, status, start,
            start + dt.timedelta(days=rng.randint(540, 1000)), total, round(total * 0.85, 2)]


def _assign_services(services: list[tuple[str, str, str]], projects: int,
                     rng: random.Random) -> list[list[tuple[str, str, str]]]:
    """Spread planned services over projects: each project gets one, and none plans the same service type twice."""
    for _ in range(1000):
        pool = services[:]
        rng.shuffle(pool)
        buckets: list[list[tuple[str, str, str]]] = [[s] for s in pool[:projects]]
        ok = True
        for service in pool[projects:]:
            free = [b for b in buckets if all(s[1] != service[1] for s in b) and len(b) < 4]
            if not free:
                ok = False
                break
            rng.choice(free).append(service)
        if ok:
            return buckets
    raise RuntimeError("could not spread the APIA services over the projects")


def _write_apia(world: _World, landing: Path) -> int:
    rng = world.rng("apia")
    pre = [m for m in world.munis if m.valid_to is not None and m.valid_to < REFORM]
    projects: list[list[object]] = []
    services: list[list[object]] = []

    round1 = [(name, code, novelty) for name, code, novelty, n in APIA_ROUND1_SERVICES for _ in range(n)]
    buckets = _assign_services(round1, APIA_ROUND1_PROJECTS, rng)
    innovative_slots = set(rng.sample(range(len(round1)), len(APIA_INNOVATIVE_METHODS)))
    methods = iter(APIA_INNOVATIVE_METHODS)
    slot = 0
    for serial, (bucket, m) in enumerate(zip(buckets, rng.sample(pre, APIA_ROUND1_PROJECTS)), start=1):
        number = f"1DP/1.4.1.2.4/09/APIA/NVA/{serial:03d}"
        start = _date_between(rng, dt.date(2009, 9, 1), dt.date(2010, 6, 30))
        projects.append(_apia_project(world, m, number, 1, "Pabeigts", start, rng))
        for name, code, novelty in bucket:
            innovative = slot in innovative_slots
            method = next(methods) if innovative else rng.choice(APIA_METHODS[code])
            services.append([number, name, novelty, "jā" if innovative else "nē", method,
                             rng.choice(APIA_TARGETS[code]), rng.randint(8, 120)])
            slot += 1

    # Round 2: the second open call (2011) and a few restricted-selection (IPIA) projects of 2010.
    round2_numbers = [f"1DP/1.4.1.2.4/11/APIA/NVA/{i:03d}" for i in range(1, 16)]
    round2_numbers += [f"1DP/1.4.1.2.4/10/IPIA/NVA/{i:03d}" for i in range(1, 4)]
    for number in round2_numbers:
        m = rng.choice(pre)
        start = _date_between(rng, dt.date(2011, 3, 1), dt.date(2011, 12, 31))
        status = "Pārtraukts" if rng.random() < 0.08 else "Pabeigts"
        projects.append(_apia_project(world, m, number, 2, status, start, rng))
        picked: dict[str, str] = {}
        for name, code in rng.sample(APIA_ROUND2_SERVICES, 4):
            picked.setdefault(code, name)
        for name in list(picked.values())[: rng.randint(1, 3)]:
            innovative = rng.random() < 0.15
            method = rng.choice(["kanisterapija", "hipoterapija", "mentoru programma"]) if innovative else (
                rng.choice(["individuālās konsultācijas", "grupu nodarbības", "sociālā darba metodes"]))
            services.append([number, name, rng.choice(["jauns", "pilnveidots"]), "jā" if innovative else "nē",
                             method, rng.choice(["personas ar invaliditāti", "pensijas vecuma personas",
                                                 "ģimenes ar bērniem"]), rng.randint(5, 80)])

    services.sort(key=lambda r: (str(r[0]).split("/")[2], str(r[0])))
    # Bad row: a planned service that names no project, so it cannot be tied to a round.
    services.insert(len(services) // 3, ["", "dienas aprūpes centrs", "jauns", "nē", "ergoterapija",
                                         "pensijas vecuma personas", 25])

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projekti"
    ws.append(APIA_PROJECT_COLUMNS)
    for row in projects:
        ws.append(row)
    for cells in ws.iter_rows(min_row=2, min_col=8, max_col=11):
        cells[0].number_format = cells[1].number_format = "DD.MM.YYYY"
        cells[2].number_format = cells[3].number_format = "#,##0.00"
    ws2 = wb.create_sheet("Pakalpojumi")
    ws2.append(APIA_SERVICE_COLUMNS)
    for row in services:
        ws2.append(row)
    wb.properties.creator = "lvsocial sample"
    wb.properties.created = wb.properties.modified = XLSX_TIMESTAMP
    path = landing / "esf" / "apia_1_4_1_2_4.xlsx"
    path.write_bytes(deterministic_xlsx(wb))
    return len(projects) + len(services)


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


# --- Municipal budgets, social-service statistics, staffing -----------------------------------------------------
# The 2021 budget file holds both classifiers: pre-reform rows carry 1 January–30 June, post-reform rows
# 1 July–31 December. The 2021 statistics and staffing files are filed once a year by the municipality existing at
# year end, so they hold only post-reform rows, for the whole year (headcount at 31 December).

def _currency(year: int) -> str:
    return "LVL" if year < EURO_FROM_YEAR else "EUR"


def _to_currency(eur: float, year: int) -> float:
    return eur * LVL_PER_EUR if year < EURO_FROM_YEAR else eur


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> int:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _function_names() -> dict[str, str]:
    with (SEEDS / "functional_codes.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: r["name_lv"] for r in csv.DictReader(fh)}


def _budget_rows(world: _World, year: int, rng: random.Random, factors: dict[str, dict[str, float]],
                 names: dict[str, str]) -> list[list[str]]:
    rows = []
    for m in municipalities_for_year(world.munis, year):
        share = 0.5 if year == REFORM.year else 1.0
        population = world.population_in(m, year)
        sep = rng.choice([" ", NBSP])
        lines: list[tuple[str, float, float]] = []
        for code, per_capita in FUNCTION_PER_CAPITA_EUR_2014.items():
            eur = population * per_capita * factors[m.atvk][code] * 1.045 ** (year - 2014) * share
            executed = _to_currency(eur * rng.uniform(0.93, 1.07), year)
            planned = executed / rng.uniform(0.88, 0.995)
            lines.append((code, round(planned, 2), round(executed, 2)))
        total = (FUNCTION_TOTAL_CODE, round(sum(p for _, p, _ in lines), 2), round(sum(e for _, _, e in lines), 2))
        for code, planned, executed in [total, *lines]:
            rows.append([str(year), m.atvk, m.name, code, names.get(code, ""), _format_number(planned, sep),
                         _format_number(executed, sep), _currency(year)])
    return rows


@dataclass(frozen=True)
class _ServiceProfile:
    day_care: bool
    crisis: bool
    group_home: bool
    home_care: str  # own / purchased / both
    ltc: str


def _service_profile(world: _World, m: Municipality) -> _ServiceProfile:
    rng = world.rng(f"profile:{world.lineage(m)}")
    if m.atvk == JEKABPILS_NOVADS_ATVK:
        # Published lines only, so that every canonical service sums to the published figure.
        return _ServiceProfile(day_care=rng.random() < 0.7, crisis=True, group_home=False, home_care="both",
                               ltc="purchased")
    big = m.is_city or world.population_in(m, 2015) > 20_000
    # Every draw is made whatever the size, so a municipality keeps its profile across the reform.
    day_care, crisis, group_home = rng.random(), rng.random(), rng.random()
    return _ServiceProfile(
        day_care=big or day_care < 0.55,
        crisis=m.is_city or crisis < 0.15,
        group_home=group_home < (0.5 if big else 0.08),
        home_care=rng.choice(["own", "own", "purchased", "both"]),
        ltc=rng.choice(["own", "purchased", "purchased", "both"]),
    )


# Clients per inhabitant and EUR per client in 2014, per canonical service.
SERVICE_MODEL = {
    "home_care": ((0.004, 0.012), (650, 1300)),
    "day_care_centre": ((0.0008, 0.003), (1800, 3800)),
    "ltc_institution": ((0.0015, 0.005), (5500, 9000)),
    "crisis_centre": ((0.0002, 0.0008), (900, 2200)),
    "group_home": ((0.0001, 0.0005), (2500, 5000)),
}


def _statistics_rows(world: _World, year: int, rng: random.Random) -> list[list[str]]:
    rows = []
    munis = [m for m in world.munis if m.valid_on(dt.date(year, 12, 31))]
    for m in munis:
        profile = _service_profile(world, m)
        lines = _statistics_lines(profile, year)
        population = world.population_in(m, year)
        sep = rng.choice([" ", NBSP])
        for service in lines:
            code, provision = STATISTICS_SERVICES[service]
            (clients_lo, clients_hi), (cost_lo, cost_hi) = SERVICE_MODEL[code]
            # Rates drawn once per municipality lineage and service keep each series smooth across the 2017 form
            # change and the 2021 reform.
            stable = world.rng(f"service:{world.lineage(m)}:{code}")
            rate, unit_cost, own_share = (stable.uniform(clients_lo, clients_hi), stable.uniform(cost_lo, cost_hi),
                                          stable.uniform(0.3, 0.7))
            if world.lineage(m) == RIGA_PRE_REFORM_ATVK and code == "home_care":
                rate = RIGA_HOME_CARE_CLIENTS[2016] / world.population[RIGA_PRE_REFORM_ATVK][2016]
            if sum(STATISTICS_SERVICES[other][0] == code for other in lines) > 1:
                rate *= own_share if provision == "own" else 1 - own_share
            clients = max(1, round(population * rate * rng.uniform(0.95, 1.05)))
            eur = clients * unit_cost * 1.05 ** (year - 2014) * rng.uniform(0.95, 1.05)
            if m.atvk == RIGA_PRE_REFORM_ATVK and service == HOME_CARE and year in RIGA_HOME_CARE_CLIENTS:
                clients = RIGA_HOME_CARE_CLIENTS[year]
                eur = clients * unit_cost * 1.05 ** (year - 2014) * rng.uniform(0.97, 1.03)
            if m.atvk == JEKABPILS_NOVADS_ATVK and (service, year) in JEKABPILS_FIGURES:
                clients, eur = JEKABPILS_FIGURES[(service, year)]
            elif m.atvk == JEKABPILS_NOVADS_ATVK and (service, 2023) in JEKABPILS_FIGURES:
                last_clients, last_eur = JEKABPILS_FIGURES[(service, 2023)]
                clients = round(last_clients * rng.uniform(0.95, 1.08))
                eur = last_eur * 1.04 ** (year - 2023) * rng.uniform(0.97, 1.05)
            amount = _to_currency(eur, year)
            rows.append([str(year), m.atvk, m.name, service, _format_number(clients, sep, 0),
                         _format_number(round(amount, 2), sep), _currency(year)])
    return rows


def _statistics_lines(profile: _ServiceProfile, year: int) -> list[str]:
    if year < STATISTICS_NEW_FORM_FROM:
        lines = [HOME_CARE, LTC_OLD]
    else:
        lines = {"own": [HOME_CARE_OWN], "purchased": [HOME_CARE_PURCHASED],
                 "both": [HOME_CARE_OWN, HOME_CARE_PURCHASED]}[profile.home_care]
        lines = lines + {"own": [LTC_OWN], "purchased": [LTC_PURCHASED], "both": [LTC_OWN, LTC_PURCHASED]}[profile.ltc]
    if profile.day_care:
        lines.append(DAY_CARE)
    if profile.crisis:
        lines.append(CRISIS_CENTRE)
    if profile.group_home:
        lines.append(GROUP_HOME)
    return lines


def _staffing_rows(world: _World, year: int, rng: random.Random) -> list[list[str]]:
    rows = []
    for m in (m for m in world.munis if m.valid_on(dt.date(year, 12, 31))):
        population = world.population_in(m, year)
        # About a quarter of the municipalities stay below the norm of one specialist per 1,000 inhabitants.
        ratio = world.rng(f"staffing:{world.lineage(m)}").uniform(0.7, 1.6) * rng.uniform(0.95, 1.05)
        specialists = max(1, round(population / 1000 * ratio))
        others = max(0, round(specialists * rng.uniform(0.4, 1.8)))
        rows.append([str(year), m.atvk, m.name, str(specialists), str(others)])
    return rows


def _write_budgets(world: _World, landing: Path) -> dict[str, int]:
    written: dict[str, int] = {}
    names = _function_names()
    factor_rng = world.rng("budget:factors")
    factors = {m.atvk: {code: math.exp(factor_rng.gauss(0, 0.25)) for code in FUNCTION_PER_CAPITA_EUR_2014}
               for m in world.munis}
    folder = landing / "budgets"
    for year in BUDGET_YEARS:
        rng = world.rng(f"budgets:{year}")
        budget = _budget_rows(world, year, rng, factors, names)
        statistics = _statistics_rows(world, year, rng)
        staffing = _staffing_rows(world, year, rng)
        _inject_budget_errors(year, budget, statistics, staffing, rng)
        for stem, header, rows in (("pasvaldibu_izdevumi", BUDGET_HEADER, budget),
                                   ("soc_pakalpojumi", STATISTICS_HEADER, statistics),
                                   ("soc_dienesti", STAFFING_HEADER, staffing)):
            written[f"budgets/{stem}_{year}.csv"] = _write_rows(folder / f"{stem}_{year}.csv", header, rows)
    return written


PROTECTED_ATVK = {RIGA_PRE_REFORM_ATVK, JEKABPILS_NOVADS_ATVK, "0001000"}


def _inject_budget_errors(year: int, budget: list[list[str]], statistics: list[list[str]],
                          staffing: list[list[str]], rng: random.Random) -> None:
    """A few rows the ingestion must reject; never on the rows that carry published figures."""
    if year == 2012:  # a letter O typed for a zero
        row = rng.choice([r for r in budget if r[3] == "10.900" and r[1] not in PROTECTED_ATVK])
        row[6] = "12O 345,67"
    if year == 2016:  # a code that is in no classifier
        row = ["2016", "0999999", "Neidentificēta pašvaldība", "10.200", "Atbalsts gados veciem cilvēkiem",
               "15 000,00", "14 250,00", "EUR"]
        budget.insert(rng.randint(1, len(budget) - 1), row)
    if year == 2018:  # a negative amount
        row = rng.choice([r for r in statistics if r[3] == DAY_CARE and r[1] not in PROTECTED_ATVK])
        row[5] = "-" + row[5]
    if year == 2023:  # a code that looks plausible but was never issued
        staffing.insert(rng.randint(1, len(staffing) - 1), ["2023", "0057000", "Nezināms novads", "4", "3"])


# --- Population -----------------------------------------------------------------------------------------------

def _write_population(world: _World, landing: Path) -> int:
    years = list(POPULATION_YEARS)
    rows: list[list[object]] = []
    present = {y: {m.atvk for m in municipalities_for_year(world.munis, y)} for y in years}
    post = sorted((m for m in world.munis if m.valid_from >= REFORM), key=lambda m: m.atvk)
    pre = [m for m in world.munis if m.valid_to is not None and m.valid_to < REFORM]
    for m in post:
        # PxWeb recalculates the 2021 map back to 1 January 2021; earlier years stay with the old labels.
        rows.append([f"LV{m.atvk} {m.name}"] + [world.population[m.atvk][y] if m.atvk in present[y] else ".."
                                                for y in years])
    for m in pre:
        rows.append([f"{m.name} (līdz 01.07.2021.)"] + [world.population[m.atvk][y] if m.atvk in present[y]
                                                        else ".." for y in years])
    path = landing / "reference" / "iedzivotaji.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(["Teritoriālā vienība", *[str(y) for y in years]])
        writer.writerows(rows)
    return len(rows)


def write_other_sources(landing: Path, seed: int = 20120102) -> dict[str, int]:
    """Write every non-register source into `landing`; return data rows written per file (relative path).

    The APIA workbook counts the data rows of both sheets together.
    """
    landing = Path(landing)
    for folder in ("esf", "budgets", "reference"):
        (landing / folder).mkdir(parents=True, exist_ok=True)
    world = _World(seed)
    written = {
        "esf/es_fondu_projekti_2014_2020.csv": _write_cfla(world, landing, "2014_2020", CFLA_2014_2020),
        "esf/es_fondu_projekti_2021_2027.csv": _write_cfla(world, landing, "2021_2027", CFLA_2021_2027),
        "esf/apia_1_4_1_2_4.xlsx": _write_apia(world, landing),
    }
    written.update(_write_budgets(world, landing))
    written["reference/iedzivotaji.csv"] = _write_population(world, landing)
    return written
