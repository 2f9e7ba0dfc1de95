"""EU-funds projects (docs/inputs.md#eu-funds-cfla-lists, docs/inputs.md#eu-funds-apia-workbook): the CFLA project
lists of 2014–2020 and 2021–2027 (two column-name variants mapped to one schema, only the social-services measures
kept) and the 2007–2013 APIA workbook of activity 1.4.1.2.4 (projects and their planned services, amounts in LVL).
Amounts, dates and project numbers are parsed here, with the rules of `ingestion.common`, so raw holds them typed;
names and other text stay as written."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.common import (
    IngestionError,
    ParsedFile,
    Rejected,
    csv_records,
    decode_text,
    ensure_audit,
    fold_header,
    parse_lv_date,
    parse_lv_number,
    read_bytes,
    write_file_partition,
)

PARTITION_COLUMN = "_programming_period"
CFLA_PERIODS = ("2014_2020", "2021_2027")
APIA_PERIOD = "2007_2013"

SOURCE_CFLA = "esf_cfla"
TABLE_CFLA = "esf_cfla_projects"
# The APIA workbook's two sheets are two raw tables; each is its own audit source, so that the load log holds one
# row per sheet (rows read = loaded + rejected per sheet) and re-loading replaces both.
SOURCE_APIA_PROJECTS = TABLE_APIA_PROJECTS = "esf_apia_projects"
SOURCE_APIA_SERVICES = TABLE_APIA_SERVICES = "esf_apia_planned_services"

# The social-services measures kept from the CFLA lists; the rest are counted in audit.filtered_rows, by measure.
DEFAULT_SOCIAL_MEASURES = ("9.2.2.1", "9.2.2.2", "9.3.1.1", "4.3.5.1")
MEASURES_ENV = "LVSOCIAL_ESF_MEASURES"
_MEASURE = re.compile(r"^\d+(\.\d+){1,4}$")

# --- CFLA lists -------------------------------------------------------------------------------------------------

# Raw column -> the header names the periods use (2014–2020 first). Compared folded (ingestion.common.fold_header).
CFLA_FIELDS: dict[str, tuple[str, ...]] = {
    "project_number": ("ProjektaNumurs",),
    "title": ("ProjektaNosaukums",),
    "status": ("ProjektaStatuss",),
    "fund": ("Fonds", "EsFonds"),
    "total_cost": ("ProjektaKopejasIzmaksas", "KopejaisFinansejums"),
    "eu_funding": ("ProjektamPieskirtaisESFonduLidzfinansejums", "EsFonduLidzfinansejums"),
    "start_date": ("ProjektaIeviesanasSakumaDatums", "SakumaDatums"),
    "end_date": ("ProjektaIeviesanasBeiguDatums", "BeiguDatums"),
    "target_group": ("ProjektaMerkaGrupa", "MerkaGrupa"),
    "beneficiary_name": ("IesniedzejaNosaukums",),
    "beneficiary_reg_no": ("IesniedzejaRegNo",),
}
CFLA_OPTIONAL = {"fund", "target_group", "beneficiary_reg_no"}  # missing: a warning, not a failed file
CFLA_COLUMNS = ["project_number", "measure_code", "call_year", "selection_code", "serial", "title", "status", "fund",
                "total_cost", "eu_funding", "start_date", "end_date", "target_group", "beneficiary_name",
                "beneficiary_reg_no", "extra_fields"]
_CFLA_TYPES = {"call_year": "integer", "total_cost": "decimal(18,2)", "eu_funding": "decimal(18,2)",
               "start_date": "date", "end_date": "date"}

# --- APIA workbook ----------------------------------------------------------------------------------------------

APIA_PROJECT_SHEET = "Projekti"
APIA_SERVICE_SHEET = "Pakalpojumi"
APIA_PROJECT_FIELDS = {  # header as written -> raw column; compared folded (ingestion.common.fold_header)
    "projekta nr.": "project_number",
    "nosaukums": "title",
    "finansējuma saņēmējs": "beneficiary_name",
    "reģ. nr.": "beneficiary_reg_no",
    "pašvaldība": "municipality_text",
    "kārta": "round",
    "statuss": "status",
    "sākuma datums": "start_date",
    "beigu datums": "end_date",
}
# Amount headers carry their currency: `Kopējās izmaksas, LVL`; the patterns match the folded header.
APIA_AMOUNT_HEADERS = {re.compile(r"^kopejas izmaksas(?:,\s*(lvl|eur))?$"): "total_cost",
                       re.compile(r"^esf finansejums(?:,\s*(lvl|eur))?$"): "eu_funding"}
APIA_PROJECT_REQUIRED = ["project_number", "beneficiary_name", "municipality_text", "round", "start_date",
                         "total_cost", "eu_funding"]
APIA_SERVICE_FIELDS = {
    "projekta nr.": "project_number",
    "pakalpojums": "service_name",
    "jauns vai pilnveidots": "novelty_as_written",
    "inovatīvs": "innovative_as_written",
    "metode": "method",
    "mērķa grupa": "target_group",
    "plānotais klientu skaits": "planned_clients",
}
APIA_SERVICE_REQUIRED = ["project_number", "service_name", "novelty_as_written"]
APIA_PROJECT_COLUMNS = ["project_number", "programme", "activity_code", "call_year", "selection_code", "agency",
                        "serial", "title", "beneficiary_name", "beneficiary_reg_no", "municipality_text", "round",
                        "status", "start_date", "end_date", "currency", "total_cost", "eu_funding", "extra_fields"]
_APIA_PROJECT_TYPES = {"call_year": "integer", "round": "integer", "start_date": "date", "end_date": "date",
                       "total_cost": "decimal(18,2)", "eu_funding": "decimal(18,2)"}
APIA_SERVICE_COLUMNS = ["project_number", "service_name", "novelty", "novelty_as_written", "is_innovative",
                        "innovative_as_written", "method", "target_group", "planned_clients", "extra_fields"]
_APIA_SERVICE_TYPES = {"is_innovative": "boolean", "planned_clients": "integer"}

NOVELTY = {"jauns": "new", "pilnveidots": "improved"}
YES_NO = {"jā": True, "ja": True, "nē": False, "ne": False}

_CFLA_NUMBER = re.compile(r"^(?P<measure>\d+(?:\.\d+){1,4})(?:/\d+)?/(?P<call>\d{2})/(?P<selection>[A-Z]{1,2})"
                          r"/(?P<serial>\d{1,4})$")
_APIA_NUMBER = re.compile(r"^(?P<programme>[0-9A-Z]+)/(?P<activity>\d+(?:\.\d+)+)/(?P<call>\d{2})/"
                          r"(?P<selection>APIA|IPIA)/(?P<agency>[A-ZĀČĒĢĪĶĻŅŠŪŽ]+)/(?P<serial>\d{1,4})$")


def _ddl(table: str, columns: list[str], types: dict[str, str]) -> str:
    cols = ", ".join(f"{c} {types.get(c, 'varchar')}" for c in columns)
    return (f"create table if not exists raw.{table} ({cols}, _source_file varchar, _source_row integer, "
            f"_file_sha256 varchar, _loaded_at timestamp, {PARTITION_COLUMN} varchar)")


DDL = [
    _ddl(TABLE_CFLA, CFLA_COLUMNS, _CFLA_TYPES),
    _ddl(TABLE_APIA_PROJECTS, APIA_PROJECT_COLUMNS, _APIA_PROJECT_TYPES),
    _ddl(TABLE_APIA_SERVICES, APIA_SERVICE_COLUMNS, _APIA_SERVICE_TYPES),
    # Rows of a file left out on purpose (not errors): rows in the file = rows_read of the load log + these.
    """create table if not exists audit.filtered_rows (
        source varchar, source_file varchar, partition_key varchar, filter_column varchar, filter_value varchar,
        rows_filtered integer, loaded_at timestamp)""",
]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_audit(con)
    for ddl in DDL:
        con.execute(ddl)


def social_measures(value: str | None = None) -> tuple[str, ...]:
    """The measures to keep: `value`, else $LVSOCIAL_ESF_MEASURES (comma- or space-separated), else the default."""
    text = value if value is not None else os.environ.get(MEASURES_ENV, "")
    measures = tuple(m for m in re.split(r"[,\s;]+", text) if m)
    if not measures:
        return DEFAULT_SOCIAL_MEASURES
    bad = [m for m in measures if not _MEASURE.match(m)]
    if bad:
        raise ValueError(f"{MEASURES_ENV}: not measure codes: {', '.join(bad)} (expected e.g. 9.2.2.1)")
    return measures


def parse_cfla_number(number: str) -> dict:
    """`9.2.2.1/15/I/001` -> measure 9.2.2.1, call year 2015, selection I (limited; A = open), serial 001.

    The measure is the first segment; the other parts are None when the number does not have the usual form."""
    text = (number or "").strip()
    first = text.split("/", 1)[0].strip()
    if not _MEASURE.match(first):
        raise ValueError(f"project number does not start with a measure code: {number!r}")
    parts = {"measure_code": first, "call_year": None, "selection_code": None, "serial": None}
    if m := _CFLA_NUMBER.match(text):
        parts.update(call_year=2000 + int(m["call"]), selection_code=m["selection"], serial=m["serial"])
    return parts


def parse_apia_number(number: str) -> dict:
    """`1DP/1.4.1.2.4/09/APIA/NVA/001` -> programme 1DP, activity 1.4.1.2.4, call year 2009, selection APIA (open
    call; IPIA = restricted), agency NVA, serial 001. ValueError when the number has another form."""
    m = _APIA_NUMBER.match((number or "").strip())
    if not m:
        raise ValueError(f"project number not in the form programme/activity/yy/APIA|IPIA/agency/serial: {number!r}")
    return {"programme": m["programme"], "activity_code": m["activity"], "call_year": 2000 + int(m["call"]),
            "selection_code": m["selection"], "agency": m["agency"], "serial": m["serial"]}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value).strip()
    return s or None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_lv_date(_text(value))


def _whole_number(value) -> int | None:
    number = parse_lv_number(_text(value) if not isinstance(value, (int, float)) else value)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


# --- CFLA -------------------------------------------------------------------------------------------------------

@dataclass
class CflaFile(ParsedFile):
    """A CFLA list: rows of the kept measures, rejected rows, and the rows of other measures counted by measure."""

    filtered: Counter = field(default_factory=Counter)

    @property
    def rows_in_file(self) -> int:
        return self.rows_read + sum(self.filtered.values())


def _cfla_header(path: Path, header: list[str]) -> tuple[dict[int, str], dict[int, str], list[str]]:
    """Map header positions to raw columns; unknown columns are kept (name by position); missing required fail."""
    by_name = {fold_header(name): col for col, names in CFLA_FIELDS.items() for name in names}
    mapping: dict[int, str] = {}
    extra: dict[int, str] = {}
    warnings: list[str] = []
    for j, name in enumerate(header):
        col = by_name.get(fold_header(name))
        if col is None:
            extra[j] = str(name).strip() or f"column_{j + 1}"
        elif col in mapping.values():
            raise IngestionError(path, f"two columns for {col}: {header!r}")
        else:
            mapping[j] = col
    missing = [col for col in CFLA_FIELDS if col not in mapping.values()]
    required = [c for c in missing if c not in CFLA_OPTIONAL]
    if required:
        expected = "; ".join(f"{c} ({' or '.join(CFLA_FIELDS[c])})" for c in required)
        raise IngestionError(path, f"missing required column(s): {expected}; header was {header!r}")
    if missing:
        warnings.append(f"optional column(s) absent, left empty: {', '.join(missing)}")
    if extra:
        warnings.append(f"unknown column(s) kept in raw (extra_fields): {', '.join(extra.values())}")
    return mapping, extra, warnings


def _cfla_row(values: list[str], mapping: dict[int, str], extra: dict[int, str]) -> dict:
    row: dict = {col: None for col in CFLA_COLUMNS}
    for j, col in mapping.items():
        row[col] = _text(values[j]) if j < len(values) else None
    kept = {name: values[j] for j, name in extra.items() if j < len(values)}
    if kept:
        row["extra_fields"] = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    return row


def parse_cfla(path: Path, measures: tuple[str, ...] | None = None) -> CflaFile:
    """Read one CFLA list: keep the rows of `measures` (default: `social_measures()`), reject unreadable ones."""
    keep = set(measures or social_measures())
    text, enc = decode_text(read_bytes(path), path)
    pf = CflaFile(path, encoding=enc)
    numbered = csv_records(text, path, delimiter=",")
    header = numbered[0][1]
    mapping, extra, pf.warnings = _cfla_header(path, header)
    names = [str(h).strip() or f"column_{j + 1}" for j, h in enumerate(header)]
    seen: dict[str, int] = {}
    for source_row, values in numbered[1:]:
        if all(not str(v).strip() for v in values):
            continue
        original = {names[j] if j < len(names) else f"column_{j + 1}": v for j, v in enumerate(values)}
        if len(values) != len(header):
            pf.rejected.append(Rejected(source_row, f"expected {len(header)} fields, found {len(values)}", original))
            continue
        row = _cfla_row(values, mapping, extra)
        if not row["project_number"]:
            pf.rejected.append(Rejected(source_row, "missing project number", original))
            continue
        try:
            row.update(parse_cfla_number(row["project_number"]))
        except ValueError as exc:
            pf.rejected.append(Rejected(source_row, str(exc), original))
            continue
        if row["measure_code"] not in keep:
            pf.filtered[row["measure_code"]] += 1
            continue
        reason = _cfla_typed(row)
        if reason is None and row["project_number"] in seen:
            reason = f"duplicate project number of row {seen[row['project_number']]}"
        if reason:
            pf.rejected.append(Rejected(source_row, reason, original))
            continue
        seen[row["project_number"]] = source_row
        row["_source_row"] = source_row
        pf.rows.append(row)
    return pf


def _cfla_typed(row: dict) -> str | None:
    """Parse amounts (decimal comma) and dates (dd.mm.yyyy or ISO) in place; the reason when one does not parse."""
    for col, label in (("total_cost", "total cost"), ("eu_funding", "EU co-financing")):
        try:
            row[col] = parse_lv_number(row[col])
        except ValueError:
            return f"{label} is not an amount: {row[col]!r}"
        if row[col] is not None and row[col] < 0:
            return f"{label} is negative: {row[col]}"
    for col, label in (("start_date", "start date"), ("end_date", "end date")):
        try:
            row[col] = parse_lv_date(row[col])
        except ValueError:
            return f"{label} is not a date: {row[col]!r}"
    if not row["title"]:
        return "missing title"
    if not row["beneficiary_name"]:
        return "missing beneficiary name"
    return None


def load_cfla_period(con: duckdb.DuckDBPyConnection, period: str, files: list[Path],
                     measures: tuple[str, ...] | None = None) -> tuple[dict, list[str], Counter]:
    """Load one programming period's CFLA list into `raw.esf_cfla_projects`; return (totals, warnings, rows
    filtered out by measure). Raw rows, audit rows and filtered counts are replaced in one transaction."""
    if period not in CFLA_PERIODS:
        raise IngestionError(files[0] if files else period, f"unknown programming period {period!r}")
    if len(files) != 1:
        raise IngestionError(files[0] if files else period,
                             f"{len(files)} files for period {period}: {', '.join(f.name for f in files)}; keep one")
    pf = parse_cfla(files[0], measures)
    ensure_tables(con)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    con.execute("begin transaction")
    try:
        totals = write_file_partition(con, source=SOURCE_CFLA, table=TABLE_CFLA, columns=CFLA_COLUMNS, parsed=[pf],
                                      partition_column=PARTITION_COLUMN, partition_key=period,
                                      partition_value=period, own_transaction=False)
        con.execute("delete from audit.filtered_rows where source = ? and partition_key = ?", [SOURCE_CFLA, period])
        for measure, n in sorted(pf.filtered.items()):
            con.execute("insert into audit.filtered_rows values (?, ?, ?, ?, ?, ?, ?)",
                        [SOURCE_CFLA, pf.path.name, period, "measure_code", measure, n, loaded_at])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    totals["rows_in_file"] = pf.rows_in_file
    totals["rows_filtered"] = sum(pf.filtered.values())
    return totals, pf.warnings, pf.filtered


# --- APIA -------------------------------------------------------------------------------------------------------

def _sheet_rows(path: Path, ws, marker: str) -> tuple[list, list[tuple[int, list]]]:
    """Header and numbered body rows of a sheet; a title row may stand above the header (found by `marker`)."""
    rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    folded = fold_header(marker)
    at = next((k for k, (_, r) in enumerate(rows[:5]) if any(fold_header(v) == folded for v in r)), None)
    if at is None:
        raise IngestionError(path, f"sheet {ws.title!r}: no header row with {marker!r} in the first five rows")
    header = list(rows[at][1])
    while header and header[-1] is None:
        header.pop()
    width = len(header)
    body = [(i, r[:width] + [None] * (width - len(r)) + [v for v in r[width:] if v is not None])
            for i, r in rows[at + 1:]]
    return header, body


def _apia_header(path: Path, sheet: str, header: list, fields: dict[str, str], required: list[str]):
    mapping: dict[int, str] = {}
    currencies: dict[str, str] = {}
    by_folded = {fold_header(written): col for written, col in fields.items()}
    for j, name in enumerate(header):
        key = fold_header(name)
        if key in by_folded:
            mapping[j] = by_folded[key]
            continue
        for pattern, col in (APIA_AMOUNT_HEADERS.items() if sheet == APIA_PROJECT_SHEET else ()):
            if m := pattern.match(key):
                mapping[j] = col
                currencies[col] = (m.group(1) or "eur").upper()
    missing = [col for col in required if col not in mapping.values()]
    if missing:
        raise IngestionError(path, f"sheet {sheet!r}: missing required column(s) for {', '.join(missing)}; "
                                   f"header was {header!r}")
    if len(set(currencies.values())) > 1:
        raise IngestionError(path, f"sheet {sheet!r}: amounts in two currencies: {currencies}")
    extra = {j: str(name).strip() or f"column_{j + 1}" for j, name in enumerate(header) if j not in mapping}
    return mapping, extra, next(iter(currencies.values()), "EUR")


def _records(body, header, mapping, extra, columns):
    names = [str(h).strip() if h is not None else f"column_{j + 1}" for j, h in enumerate(header)]
    for source_row, values in body:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        original = {names[j] if j < len(names) else f"column_{j + 1}": _text(v) for j, v in enumerate(values)}
        row: dict = {col: None for col in columns}
        for j, col in mapping.items():
            row[col] = values[j]
        kept = {name: _text(values[j]) for j, name in extra.items() if j < len(values) and values[j] is not None}
        if kept:
            row["extra_fields"] = json.dumps(kept, ensure_ascii=False, sort_keys=True)
        yield source_row, row, original


def _apia_project(row: dict) -> str | None:
    """Type one project row in place; the reason when it cannot be loaded."""
    for col in ("project_number", "title", "beneficiary_name", "beneficiary_reg_no", "municipality_text", "status"):
        row[col] = _text(row[col])
    missing = [c.replace("_", " ") for c in APIA_PROJECT_REQUIRED if _text(row[c]) is None]
    if missing:
        return "missing " + ", ".join(missing)
    try:
        row.update(parse_apia_number(row["project_number"]))
    except ValueError as exc:
        return str(exc)
    try:
        row["round"] = _whole_number(row["round"])
    except ValueError:
        return f"round is not a whole number: {row['round']!r}"
    for col, label in (("start_date", "start date"), ("end_date", "end date")):
        try:
            row[col] = _date(row[col])
        except ValueError:
            return f"{label} is not a date: {row[col]!r}"
    for col, label in (("total_cost", "total cost"), ("eu_funding", "ESF funding")):
        try:
            row[col] = parse_lv_number(row[col])
        except ValueError:
            return f"{label} is not an amount: {row[col]!r}"
        if row[col] is not None and row[col] < 0:
            return f"{label} is negative: {row[col]}"
    return None


def _apia_service(row: dict, projects: set[str]) -> str | None:
    for col in ("project_number", "service_name", "novelty_as_written", "innovative_as_written", "method",
                "target_group"):
        row[col] = _text(row[col])
    missing = [c.replace("_as_written", "").replace("_", " ") for c in APIA_SERVICE_REQUIRED if row[c] is None]
    if missing:
        return "missing " + ", ".join(missing)
    if row["project_number"] not in projects:
        return f"project {row['project_number']} is not in sheet {APIA_PROJECT_SHEET!r}"
    row["novelty"] = NOVELTY.get(row["novelty_as_written"].lower())
    if row["novelty"] is None:
        return f"`Jauns vai pilnveidots` is neither jauns nor pilnveidots: {row['novelty_as_written']!r}"
    if row["innovative_as_written"] is not None:
        row["is_innovative"] = YES_NO.get(row["innovative_as_written"].lower())
        if row["is_innovative"] is None:
            return f"`Inovatīvs` is neither jā nor nē: {row['innovative_as_written']!r}"
    try:
        row["planned_clients"] = _whole_number(row["planned_clients"])
    except ValueError:
        return f"planned clients is not a whole number: {row['planned_clients']!r}"
    return None


def parse_apia(path: Path) -> tuple[ParsedFile, ParsedFile]:
    """Read the APIA workbook: (projects of sheet `Projekti`, planned services of sheet `Pakalpojumi`)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(read_bytes(path)), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise IngestionError(path, f"not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from exc
    try:
        sheets = {fold_header(ws.title): ws for ws in wb.worksheets}
        for name in (APIA_PROJECT_SHEET, APIA_SERVICE_SHEET):
            if fold_header(name) not in sheets:
                raise IngestionError(path, f"no sheet {name!r} (sheets: {', '.join(ws.title for ws in wb.worksheets)})")
        p_header, p_body = _sheet_rows(path, sheets[fold_header(APIA_PROJECT_SHEET)], "projekta nr.")
        s_header, s_body = _sheet_rows(path, sheets[fold_header(APIA_SERVICE_SHEET)], "projekta nr.")
    finally:
        wb.close()
    projects, services = ParsedFile(path, encoding="xlsx"), ParsedFile(path, encoding="xlsx")

    mapping, extra, currency = _apia_header(path, APIA_PROJECT_SHEET, p_header, APIA_PROJECT_FIELDS,
                                            APIA_PROJECT_REQUIRED)
    seen: dict[str, int] = {}
    for source_row, row, original in _records(p_body, p_header, mapping, extra, APIA_PROJECT_COLUMNS):
        reason = _apia_project(row)
        if reason is None and row["project_number"] in seen:
            reason = f"duplicate project number of row {seen[row['project_number']]}"
        if reason:
            projects.rejected.append(Rejected(source_row, reason, original))
            continue
        seen[row["project_number"]] = source_row
        row["currency"], row["_source_row"] = currency, source_row
        projects.rows.append(row)
    if extra:
        projects.warnings.append(f"sheet {APIA_PROJECT_SHEET!r}: unknown column(s) kept in raw (extra_fields): "
                                 f"{', '.join(extra.values())}")

    mapping, extra, _ = _apia_header(path, APIA_SERVICE_SHEET, s_header, APIA_SERVICE_FIELDS, APIA_SERVICE_REQUIRED)
    known = set(seen)
    duplicates: dict[tuple, int] = {}
    for source_row, row, original in _records(s_body, s_header, mapping, extra, APIA_SERVICE_COLUMNS):
        reason = _apia_service(row, known)
        if reason is None:
            key = tuple(row[c] for c in APIA_SERVICE_COLUMNS)
            if key in duplicates:
                reason = f"duplicate of row {duplicates[key]} in the same sheet"
            duplicates.setdefault(key, source_row)
        if reason:
            services.rejected.append(Rejected(source_row, reason, original))
            continue
        row["_source_row"] = source_row
        services.rows.append(row)
    if extra:
        services.warnings.append(f"sheet {APIA_SERVICE_SHEET!r}: unknown column(s) kept in raw (extra_fields): "
                                 f"{', '.join(extra.values())}")
    return projects, services


def load_apia(con: duckdb.DuckDBPyConnection, files: list[Path]) -> tuple[dict, dict, list[str]]:
    """Load the APIA workbook into `raw.esf_apia_projects` and `raw.esf_apia_planned_services` in one transaction;
    return (project totals, service totals, warnings)."""
    if len(files) != 1:
        raise IngestionError(files[0], f"{len(files)} APIA workbooks: {', '.join(f.name for f in files)}; keep one")
    projects, services = parse_apia(files[0])
    ensure_tables(con)
    common = {"partition_column": PARTITION_COLUMN, "partition_key": APIA_PERIOD, "partition_value": APIA_PERIOD,
              "own_transaction": False}
    con.execute("begin transaction")
    try:
        p_totals = write_file_partition(con, source=SOURCE_APIA_PROJECTS, table=TABLE_APIA_PROJECTS,
                                        columns=APIA_PROJECT_COLUMNS, parsed=[projects], **common)
        s_totals = write_file_partition(con, source=SOURCE_APIA_SERVICES, table=TABLE_APIA_SERVICES,
                                        columns=APIA_SERVICE_COLUMNS, parsed=[services], **common)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return p_totals, s_totals, projects.warnings + services.warnings
