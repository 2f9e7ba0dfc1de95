"""Population at the start of the year by municipality (docs/inputs.md#population): the statistics bureau's wide PxWeb
CSV export, one column per year, unpivoted into `raw.population`, one row per area × year. Area labels are parsed
here: `LV0040000 Ogres novads` (a 2021 ATVK code with the `LV` prefix) or a pre-reform name with its validity note,
`Ogres novads (līdz 01.07.2021.)`; `..` means no value and is kept as a row without a number."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from ingestion import reference
from ingestion.common import (
    IngestionError,
    ParsedFile,
    Rejected,
    csv_records,
    decode_text,
    ensure_audit,
    load_whole_file,
    parse_lv_date,
    parse_lv_number,
    read_bytes,
)
from ingestion.sources import POPULATION, WHOLE_KEY

SOURCE, TABLE, PARTITION_COLUMN = POPULATION.name, POPULATION.table, POPULATION.partition_column
PARTITION_KEY = WHOLE_KEY  # one file, replaced as a whole

COLUMNS = ["area_label", "atvk_code", "area_name", "valid_until", "year", "population_as_written", "population"]
DDL = f"""create table if not exists raw.{TABLE} (
    area_label varchar, atvk_code varchar, area_name varchar, valid_until date, year integer,
    population_as_written varchar, population integer,
    _source_file varchar, _source_row integer, _file_sha256 varchar, _loaded_at timestamp,
    {PARTITION_COLUMN} varchar)"""

_CODED = re.compile(r"^LV\s?(\d{7})\s+(\S.*)$", re.IGNORECASE)
_UNTIL = re.compile(r"^(\S.*?)\s*\(\s*līdz\s+(\d{1,2}\.\d{1,2}\.\d{4})\.?\s*\)$", re.IGNORECASE)
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
MISSING = ("..", "...", "-", "…")


def parse_area_label(label: str) -> tuple[str | None, str, dt.date | None]:
    """(ATVK code, name, valid-until date) of an area label; ValueError when it is neither form.

    `LV0040000 Ogres novads` gives ("0040000", "Ogres novads", None); `Ogres novads (līdz 01.07.2021.)` gives
    (None, "Ogres novads", date(2021, 7, 1))."""
    text = re.sub(r"\s+", " ", str(label or "")).strip()
    if m := _CODED.match(text):
        return m.group(1), m.group(2).strip(), None
    if m := _UNTIL.match(text):
        return None, m.group(1).strip(), parse_lv_date(m.group(2))
    raise ValueError(f"area label is neither `LV0040000 Name` nor `Name (līdz dd.mm.yyyy.)`: {label!r}")


def year_header(path: Path, numbered: list[tuple[int, list[str]]], labels: int = 1,
                example: str = '"Teritoriālā vienība";"2010";…') -> tuple[int, dict[int, int]]:
    """Index of the header row of a wide PxWeb export (a title may stand above it) and its year columns: column
    index -> year. The header is the first row, among the first ten, whose every non-empty cell after the first
    `labels` (the dimension columns, which hold none) holds a year; a year twice in it fails the file."""
    for k, (_, record) in enumerate(numbered[:10]):
        years = {j: int(m.group(1)) for j, cell in enumerate(record) if j >= labels and (m := _YEAR.search(cell))}
        dimensions_named = not any(_YEAR.search(cell) for cell in record[:labels])
        if dimensions_named and len(years) >= 1 and len(years) == len([c for c in record[labels:] if c.strip()]):
            if len(set(years.values())) != len(years):
                raise IngestionError(path, f"a year appears twice in the header: {record!r}")
            return k, years
    raise IngestionError(path, f"no header row with the years (`{example}`) in the first ten rows")


def parse_count(value: str | None, what: str = "population") -> tuple[int | None, str | None]:
    """(count, reason) of one PxWeb cell: `..` (and `...`, `-`, `…`) or empty is no value (None, None); a whole,
    non-negative number in Latvian notation is the count; anything else gives (None, the reason)."""
    written = (value or "").strip()
    if written in MISSING:
        return None, None
    try:
        number = parse_lv_number(written)
    except ValueError:
        return None, f"{what} is not a number: {value!r}"
    if number is not None and (number < 0 or number != int(number)):
        return None, f"{what} is not a whole non-negative number: {value!r}"
    return (int(number) if number is not None else None), None


def parse_file(path: Path) -> ParsedFile:
    """Unpivot the wide file: one good row per area × year, or one rejected row per area × year with the reason."""
    text, enc = decode_text(read_bytes(path), path)
    pf = ParsedFile(path, encoding=enc)
    numbered = csv_records(text, path, delimiter=";")
    at, years = year_header(path, numbered)
    width = len(numbered[at][1])
    seen: dict[tuple, int] = {}
    for source_row, record in numbered[at + 1:]:
        if all(str(v).strip() == "" for v in record):
            continue
        label = record[0]
        try:
            code, name, until = parse_area_label(label)
            line_reason = None
        except ValueError as exc:
            code = name = until = None
            line_reason = str(exc)
        if line_reason is None and len(record) != width:
            line_reason = f"expected {width} fields, found {len(record)}"
        if line_reason is None and code and code not in reference.atvk_codes():
            line_reason = f"ATVK code {code} of {label.strip()!r} is in no classifier (not in seeds/municipalities.csv)"
        if line_reason is None:
            area = (code, name.lower(), until)
            if area in seen:
                line_reason = f"duplicate of row {seen[area]} (same area)"
            else:
                seen[area] = source_row
        for j, year in years.items():
            value = record[j] if j < len(record) else None
            original = {"area_label": label, "year": year, "value": value}
            number, reason = (None, line_reason) if line_reason else parse_count(value)
            if reason:
                pf.rejected.append(Rejected(source_row, reason, original))
                continue
            pf.rows.append({"area_label": label.strip(), "atvk_code": code, "area_name": name, "valid_until": until,
                            "year": year, "population_as_written": value,
                            "population": number, "_source_row": source_row})
    return pf


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_audit(con)
    con.execute(DDL)


def load(con: duckdb.DuckDBPyConnection, files: list[Path]) -> tuple[dict, list[str]]:
    """Load the population file, replacing what raw held; return (row totals, warnings)."""
    return load_whole_file(con, files, what="population", parse=parse_file, ensure_tables=ensure_tables,
                           source=SOURCE, table=TABLE, columns=COLUMNS, partition_column=PARTITION_COLUMN,
                           partition_key=PARTITION_KEY)
