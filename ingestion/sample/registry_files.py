"""The register sample as files: each 2 January snapshot written as the register wrote it that year (legacy
CSV in its year's encoding or XLSX to 2016, JSON from 2017, mostly gzip-compressed), with the bad rows and records
the parser must reject."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import random
from collections.abc import Iterable
from pathlib import Path

from ingestion.sample.registry_model import (
    CLIENT_GROUPS_NEW,
    CLIENT_GROUPS_OLD,
    FIRST_NAMES,
    LAST_NAMES,
    LEGACY_YEARS,
    PLAIN_JSON_YEARS,
    SNAPSHOT_YEARS,
    Record,
)
from ingestion.sample.registry_sample import RegisterSample
from ingestion.sample.registry_services import ACCOMMODATION_CODES
from ingestion.sources import REGISTRY

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


def bad_legacy_rows(year: int) -> list[list[str]]:
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


def bad_json_records(year: int) -> list[dict]:
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
    folder = landing / REGISTRY.subfolder
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for year in SNAPSHOT_YEARS:
        on = dt.date(year, 1, 2)
        if year in LEGACY_YEARS:
            rows = legacy_rows(sample, on) + bad_legacy_rows(year)
            kind, enc = LEGACY_FORMATS[year]
            name = REGISTRY.file_name(on, 1, ext=kind)
            if kind == "csv":
                buf = io.StringIO()
                w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
                w.writerow(LEGACY_HEADER)
                w.writerows(rows)
                (folder / name).write_bytes(buf.getvalue().encode(enc))
            else:
                write_xlsx(folder / name, LEGACY_HEADER, rows, title=enc == "title", on=on)
        else:
            rows = json_records(sample, on) + bad_json_records(year)
            payload = json.dumps({"data": rows}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            name = REGISTRY.file_name(on, 0, ext="")
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

    from ingestion.sample.world import deterministic_xlsx

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
