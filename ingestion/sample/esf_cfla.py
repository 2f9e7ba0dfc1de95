"""The sample's CFLA project lists (2014–2020 and 2021–2027, each with its period's column names): the
social-services measures among others, with the bad rows the parser must reject."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ingestion.sample.world import World, date_between, decimal_comma
from ingestion.sources import ESF_CFLA

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


def _cfla_rows(world: World, period: str, measures: list[_Measure], rng: random.Random) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    serials: dict[tuple[str, int, str], int] = defaultdict(int)
    for measure in measures:
        for _ in range(measure.count):
            call = rng.choice(measure.call_years)
            selection = rng.choice(measure.selection) if len(measure.selection) > 1 else measure.selection
            serials[(measure.code, call, selection)] += 1
            number = f"{measure.code}/{call:02d}/{selection}/{serials[(measure.code, call, selection)]:03d}"
            start = date_between(rng, dt.date(2000 + call, 3, 1), min(dt.date(2000 + call + 2, 12, 31), LAST_START))
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
                "total": decimal_comma(total), "eu": decimal_comma(eu),
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


def write_cfla(world: World, landing: Path, period: str, measures: list[_Measure]) -> int:
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
    path = ESF_CFLA.path(landing, period)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=",", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for r in rows:
            writer.writerow([r[key] for key in CFLA_COLUMNS])
    return len(rows)
