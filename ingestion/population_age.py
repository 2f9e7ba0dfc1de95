"""Population at the start of the year by territory and age group (docs/inputs.md#population-by-age-group): a wide
PxWeb-style export of the statistics bureau's kind, one column per year, with two dimension columns — the territory
(a 2021 municipality, `LV0040000 Ogres novads`, or a city, town or parish inside it, `LV0040000 Ogres novads /
Madlienas pagasts`) and the age group (`Pavisam`, `0–17`, `18–64`, `65 un vairāk`) — unpivoted into
`raw.population_by_age`, one row per territory × age group × year. The reading rules are population.py's
(encodings, `..`, the year header, counts); this module adds the two dimensions."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingestion import reference
from ingestion.common import (
    ParsedFile,
    Rejected,
    csv_records,
    decode_text,
    ensure_audit,
    fold_header,
    load_whole_file,
    read_bytes,
)
from ingestion.population import parse_area_label, parse_count, year_header
from ingestion.sources import POPULATION_BY_AGE, WHOLE_KEY

SOURCE, TABLE, PARTITION_COLUMN = POPULATION_BY_AGE.name, POPULATION_BY_AGE.table, POPULATION_BY_AGE.partition_column
PARTITION_KEY = WHOLE_KEY  # one file, replaced as a whole

COLUMNS = ["area_label", "atvk_code", "municipality_name", "territorial_unit", "age_group_as_written", "age_group",
           "year", "population_as_written", "population"]
DDL = f"""create table if not exists raw.{TABLE} (
    area_label varchar, atvk_code varchar, municipality_name varchar, territorial_unit varchar,
    age_group_as_written varchar, age_group varchar, year integer, population_as_written varchar, population integer,
    _source_file varchar, _source_row integer, _file_sha256 varchar, _loaded_at timestamp,
    {PARTITION_COLUMN} varchar)"""

# Age groups as the bureau writes them, folded (fold_header) and with en dashes as hyphens, to their code.
AGE_GROUPS = {"pavisam": "total", "kopa": "total", "0-17": "0_17", "18-64": "18_64", "65+": "65_plus",
              "65 un vairak": "65_plus", "65 un vecaki": "65_plus"}
GROUPS = ("0_17", "18_64", "65_plus")  # the parts of `total`
_YEARS_WORD = re.compile(r"\s+(gadi|gadu|g\.)$")


def fold_age_group(label: str) -> str:
    """An age-group label folded for lookup: diacritics and case folded, dashes as `-`, no trailing `gadi`
    (`65–79 gadi` -> `65-79`, `90 un vairāk` -> `90 un vairak`); the one rule for every age-grouped source."""
    return _YEARS_WORD.sub("", fold_header(label).replace("–", "-").replace("—", "-").replace(" - ", "-"))


def parse_age_group(label: str) -> str:
    """The code of an age-group label (`0–17 gadi` -> `0_17`, `65 un vairāk` -> `65_plus`, `Pavisam` -> `total`);
    ValueError for any other label."""
    folded = fold_age_group(label)
    if folded not in AGE_GROUPS:
        raise ValueError(f"age group is none of Pavisam, 0–17, 18–64, 65 un vairāk: {label!r}")
    return AGE_GROUPS[folded]


def parse_territory(label: str) -> tuple[str, str, str | None]:
    """(2021 ATVK code, municipality name, unit name or None) of a territory label; ValueError when it is neither
    `LV0040000 Ogres novads` nor `LV0040000 Ogres novads / Madlienas pagasts`, or its code is in no classifier."""
    municipality, _, unit = str(label or "").partition("/")
    code, name, until = parse_area_label(municipality)
    if code is None or until is not None:
        raise ValueError(f"territory is not `LV0040000 Name` or `LV0040000 Name / Unit` (the 2021 map): {label!r}")
    if code not in reference.atvk_codes():
        raise ValueError(f"ATVK code {code} of {label.strip()!r} is in no classifier (not in seeds/municipalities.csv)")
    unit = re.sub(r"\s+", " ", unit).strip()
    if "/" in label and not unit:
        raise ValueError(f"territory names no unit after `/`: {label!r}")
    return code, name, unit or None


def parse_file(path: Path) -> ParsedFile:
    """Unpivot the wide file: one good row per territory × age group × year, or one rejected row each."""
    text, enc = decode_text(read_bytes(path), path)
    pf = ParsedFile(path, encoding=enc)
    numbered = csv_records(text, path, delimiter=";")
    at, years = year_header(path, numbered, labels=2,
                            example='"Teritoriālā vienība";"Vecuma grupa";"2010";…')
    width = len(numbered[at][1])
    seen: dict[tuple, int] = {}
    for source_row, record in numbered[at + 1:]:
        if all(str(v).strip() == "" for v in record):
            continue
        label, age = (record + ["", ""])[:2]
        code = name = unit = group = None
        line_reason = None
        try:
            code, name, unit = parse_territory(label)
            group = parse_age_group(age)
        except ValueError as exc:
            line_reason = str(exc)
        if line_reason is None and len(record) != width:
            line_reason = f"expected {width} fields, found {len(record)}"
        if line_reason is None:
            key = (code, (unit or "").lower(), group)
            if key in seen:
                line_reason = f"duplicate of row {seen[key]} (same territory and age group)"
            else:
                seen[key] = source_row
        for j, year in years.items():
            value = record[j] if j < len(record) else None
            number, reason = (None, line_reason) if line_reason else parse_count(value)
            if reason:
                pf.rejected.append(Rejected(source_row, reason, {"area_label": label, "age_group": age,
                                                                 "year": year, "value": value}))
                continue
            pf.rows.append({"area_label": label.strip(), "atvk_code": code, "municipality_name": name,
                            "territorial_unit": unit, "age_group_as_written": age.strip(), "age_group": group,
                            "year": year, "population_as_written": value, "population": number,
                            "_source_row": source_row})
    return pf


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_audit(con)
    con.execute(DDL)


def load(con: duckdb.DuckDBPyConnection, files: list[Path]) -> tuple[dict, list[str]]:
    """Load the file, replacing what raw held; return (row totals, warnings)."""
    return load_whole_file(con, files, what="population-by-age", parse=parse_file, ensure_tables=ensure_tables,
                           source=SOURCE, table=TABLE, columns=COLUMNS, partition_column=PARTITION_COLUMN,
                           partition_key=PARTITION_KEY)
