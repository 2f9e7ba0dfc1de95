"""The sample's APIA workbook (ESF activity 1.4.1.2.4, 2007–2013): projects and planned services, with the
published figures of issue 3 (round 1's planned services by category and novelty) planted."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl

from ingestion.sample.world import (
    REFORM,
    XLSX_TIMESTAMP,
    Municipality,
    World,
    date_between,
    deterministic_xlsx,
    without_diacritics,
)
from ingestion.sources import ESF_APIA

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
        return without_diacritics(m.name)
    if roll < 0.35 and not m.is_city:
        return m.name.replace(" novads", " nov.")
    return m.name


def _apia_beneficiary(m: Municipality, rng: random.Random) -> str:
    if m.is_city:
        return rng.choice([f"{m.genitive} pilsētas dome", f"{m.genitive} pilsētas Sociālais dienests"])
    return rng.choice([f"{m.genitive} dome", f"{m.genitive} pašvaldība", f"{m.genitive} Sociālais dienests"])


def _apia_project(world: World, m: Municipality, number: str, round_no: int, status: str,
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


def write_apia(world: World, landing: Path) -> int:
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
        start = date_between(rng, dt.date(2009, 9, 1), dt.date(2010, 6, 30))
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
        start = date_between(rng, dt.date(2011, 3, 1), dt.date(2011, 12, 31))
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
    path = ESF_APIA.path(landing, ESF_APIA.partitions[0])
    path.write_bytes(deterministic_xlsx(wb))
    return len(projects) + len(services)
