"""The 2007–2013 APIA workbook of activity 1.4.1.2.4: the sheet of projects (amounts in the currency their header
names) and the sheet of planned services, each its own raw table and audit source, loaded together."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import duckdb

from ingestion.common import (
    IngestionError,
    ParsedFile,
    Rejected,
    fold_header,
    read_bytes,
    write_file_partition,
)
from ingestion.esf.schema import (
    APIA_PERIOD,
    APIA_PROJECT_COLUMNS,
    APIA_SERVICE_COLUMNS,
    PARTITION_COLUMN,
    SOURCE_APIA_PROJECTS,
    SOURCE_APIA_SERVICES,
    TABLE_APIA_PROJECTS,
    TABLE_APIA_SERVICES,
    cell_text,
    cell_whole_number,
    ensure_tables,
    typed_amounts,
    typed_dates,
)

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

NOVELTY = {"jauns": "new", "pilnveidots": "improved"}
YES_NO = {"jā": True, "ja": True, "nē": False, "ne": False}

_APIA_NUMBER = re.compile(r"^(?P<programme>[0-9A-Z]+)/(?P<activity>\d+(?:\.\d+)+)/(?P<call>\d{2})/"
                          r"(?P<selection>APIA|IPIA)/(?P<agency>[A-ZĀČĒĢĪĶĻŅŠŪŽ]+)/(?P<serial>\d{1,4})$")


def parse_apia_number(number: str) -> dict:
    """`1DP/1.4.1.2.4/09/APIA/NVA/001` -> programme 1DP, activity 1.4.1.2.4, call year 2009, selection APIA (open
    call; IPIA = restricted), agency NVA, serial 001. ValueError when the number has another form."""
    m = _APIA_NUMBER.match((number or "").strip())
    if not m:
        raise ValueError(f"project number not in the form programme/activity/yy/APIA|IPIA/agency/serial: {number!r}")
    return {"programme": m["programme"], "activity_code": m["activity"], "call_year": 2000 + int(m["call"]),
            "selection_code": m["selection"], "agency": m["agency"], "serial": m["serial"]}




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
        original = {names[j] if j < len(names) else f"column_{j + 1}": cell_text(v) for j, v in enumerate(values)}
        row: dict = {col: None for col in columns}
        for j, col in mapping.items():
            row[col] = values[j]
        kept = {name: cell_text(values[j]) for j, name in extra.items() if j < len(values) and values[j] is not None}
        if kept:
            row["extra_fields"] = json.dumps(kept, ensure_ascii=False, sort_keys=True)
        yield source_row, row, original


def _apia_project(row: dict) -> str | None:
    """Type one project row in place; the reason when it cannot be loaded."""
    for col in ("project_number", "title", "beneficiary_name", "beneficiary_reg_no", "municipality_text", "status"):
        row[col] = cell_text(row[col])
    missing = [c.replace("_", " ") for c in APIA_PROJECT_REQUIRED if cell_text(row[c]) is None]
    if missing:
        return "missing " + ", ".join(missing)
    try:
        row.update(parse_apia_number(row["project_number"]))
    except ValueError as exc:
        return str(exc)
    try:
        row["round"] = cell_whole_number(row["round"])
    except ValueError:
        return f"round is not a whole number: {row['round']!r}"
    return (typed_dates(row, {"start_date": "start date", "end_date": "end date"})
            or typed_amounts(row, {"total_cost": "total cost", "eu_funding": "ESF funding"}))


def _apia_service(row: dict, projects: set[str]) -> str | None:
    for col in ("project_number", "service_name", "novelty_as_written", "innovative_as_written", "method",
                "target_group"):
        row[col] = cell_text(row[col])
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
        row["planned_clients"] = cell_whole_number(row["planned_clients"])
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
