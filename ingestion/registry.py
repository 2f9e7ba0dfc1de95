"""Social Service Providers Register snapshots: the current JSON open-data format and the legacy CSV/XLSX export,
read into one raw shape (`raw.registry_provider_services`), one row per register record, rejected records kept
with their reason. Municipality text is taken from the legacy column or from the address, as written."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import re
from functools import lru_cache
from pathlib import Path

import duckdb

from ingestion.common import (
    IngestionError,
    ParsedFile,
    Rejected,
    already_loaded,
    csv_records,
    decode_text,
    ensure_audit,
    fold_header,
    parse_lv_date,
    read_bytes,
    same_content_files,
    write_file_partition,
)
from ingestion.sources import REGISTRY

SOURCE = REGISTRY.name
TABLE = REGISTRY.table
PARTITION_COLUMN = REGISTRY.partition_column
# Bump when parsing changes what lands in raw: snapshots loaded by another version are loaded again.
PARSER_VERSION = "registry-2"

JSON_PATTERN, LEGACY_PATTERN = REGISTRY.patterns  # the file names (ingestion/sources.py)

# Raw columns, as text: raw keeps what the file said; staging casts.
COLUMNS = ["register_number", "provider_name", "legal_code", "legal_status", "status", "service_name",
           "service_form", "planned_clients", "clients_by_age_gender", "client_groups", "address", "address_code",
           "municipality_text", "registered_on", "removed_on", "contact_info", "extra_fields", "source_format"]

DDL = f"""create table if not exists raw.{TABLE} (
    {", ".join(f"{c} varchar" for c in COLUMNS)},
    _source_file varchar, _source_row integer, _file_sha256 varchar, _loaded_at timestamp,
    {PARTITION_COLUMN} date)"""

JSON_FIELDS = {
    "PakalpojumaSniedzejaRegistracijasNumurs": "register_number",
    "PakalpojumaSniedzejaNosaukums": "provider_name",
    "RegistracijasNumurs": "legal_code",
    "JuridiskaisStatuss": "legal_status",
    "Statuss": "status",
    "SniedzamaPakalpojumaNosaukums": "service_name",
    "PakalpojumaSniegsanasForma": "service_form",
    "PlanotaisKlientuSkaits": "planned_clients",
    "KlientiPecVecumaUnDzimuma": "clients_by_age_gender",
    "RegistresanasDatums": "registered_on",
}
# Legacy header as the export writes it -> raw column; headers are compared folded (ingestion.common.fold_header),
# so `Reg. Nr.` or `PASVALDIBA` match too, and a missing column is named as written here.
LEGACY_FIELDS = {
    "reģ. nr.": "register_number",
    "sniedzēja nosaukums": "provider_name",
    "reģistrācijas kods": "legal_code",
    "juridiskais statuss": "legal_status",
    "pakalpojums": "service_name",
    "pakalpojuma sniegšanas adrese": "address",
    "pašvaldība": "municipality_text",
    "klientu grupas": "client_groups",
    "vietu skaits": "planned_clients",
    "statuss": "status",
    "reģistrēts": "registered_on",
    "izslēgts": "removed_on",
}
_LEGACY_BY_FOLDED = {fold_header(name): col for name, col in LEGACY_FIELDS.items()}
LEGACY_HEADER_MARKER = "Reģ. Nr."  # the cell that tells a workbook's header row from a title row above it
REQUIRED_JSON = [("register_number", "register number"), ("status", "status"), ("service_name", "service name"),
                 ("address", "address")]
REQUIRED_LEGACY = [("register_number", "register number"), ("status", "status"), ("service_name", "service name")]
_POSTCODE = re.compile(r"^LV[- ]?\d{4}$", re.IGNORECASE)
_NOVADS = re.compile(r"\b(nov\.|novads)$", re.IGNORECASE)


LOOKS_LIKE_SNAPSHOT = REGISTRY.near_miss


def snapshot_date_of(path: Path) -> dt.date | None:
    """The snapshot date a register file's name carries, or None if the name is not a register file's."""
    key = REGISTRY.partition_of(path.name)
    return dt.date.fromisoformat(key) if key else None


@lru_cache(maxsize=1 << 16)  # an address recurs in every snapshot of its provider
def municipality_from_address(address: str | None) -> str | None:
    """The municipality as written inside a register address.

    `…, Ogres nov., LV-5045` gives `Ogres nov.`; a state city stands bare before the postcode
    (`…, Rīga, LV-1012` gives `Rīga`); a novads segment wins over a town written before it."""
    if not address:
        return None
    parts = [p.strip() for p in str(address).split(",") if p.strip()]
    while parts and _POSTCODE.match(parts[-1]):
        parts.pop()
    for part in reversed(parts):
        if _NOVADS.search(part):
            return part
    if not parts or (len(parts) == 1 and any(ch.isdigit() for ch in parts[0])):
        return None  # only a street and house number: no municipality written
    return parts[-1]


def _text(value) -> str | None:
    if value is None:
        return None
    if type(value) is str:  # the common case first: most fields are text
        return value if value.strip() else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d.%m.%Y")
    s = str(value)
    return s if s.strip() != "" else None


def _check_required(row: dict, required) -> str | None:
    missing = [label for col, label in required if not (row.get(col) or "").strip()]
    if missing:
        return "missing " + ", ".join(missing)
    if not re.fullmatch(r"\s*\d+\s*", row["register_number"]):
        return f"register number is not a whole number: {row['register_number']!r}"
    for col, label in (("registered_on", "registration date"), ("removed_on", "removal date")):
        if not _is_date_or_empty(row.get(col)):
            return f"{label} {row[col]!r} is not a date"
    return None


@lru_cache(maxsize=1 << 16)  # registration dates repeat across records and snapshots
def _is_date_or_empty(value: str | None) -> bool:
    try:
        parse_lv_date(value)
    except ValueError:
        return False
    return True


def _finish(pf: ParsedFile, records: list[tuple[int, dict, dict]], required) -> ParsedFile:
    """Split records into good rows and rejected rows (missing fields, duplicates within the file)."""
    seen: dict[tuple, int] = {}
    for source_row, row, original in records:
        reason = _check_required(row, required)
        if reason is None:
            key = tuple(row.get(c) for c in COLUMNS)
            if key in seen:
                reason = f"duplicate of row {seen[key]} in the same file"
            else:
                seen[key] = source_row
        if reason:
            pf.rejected.append(Rejected(source_row, reason, original))
        else:
            row["_source_row"] = source_row
            pf.rows.append(row)
    return pf


def parse_json(path: Path) -> ParsedFile:
    text, enc = decode_text(read_bytes(path), path)
    pf = ParsedFile(path, encoding=enc)
    if not text.strip():
        raise IngestionError(path, "empty file: no JSON document")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestionError(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        raise IngestionError(path, 'expected an object {"data": [...]} with a list of records')
    records = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            pf.rejected.append(Rejected(i, "record is not a JSON object", {"value": item}))
            continue
        row = {col: _text(item.get(key)) for key, col in JSON_FIELDS.items()}
        addr = item.get("FaktiskaAdrese")
        if isinstance(addr, dict):
            row["address"], row["address_code"] = _text(addr.get("Adrese")), _text(addr.get("VZDKods"))
        elif isinstance(addr, str):
            row["address"] = _text(addr)
        groups = item.get("KlientuGrupas") or []
        names = [g.get("KlientuGrupasNosaukums") if isinstance(g, dict) else g for g in groups]
        row["client_groups"] = "; ".join(str(n).strip() for n in names if n) or None
        row["municipality_text"] = municipality_from_address(row.get("address"))
        if item.get("KontaktInformacija") is not None:
            row["contact_info"] = json.dumps(item["KontaktInformacija"], ensure_ascii=False, sort_keys=True)
        known = set(JSON_FIELDS) | {"FaktiskaAdrese", "KlientuGrupas", "KontaktInformacija"}
        extra = {k: v for k, v in item.items() if k not in known}
        if extra:
            row["extra_fields"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
            pf.warnings.append(f"row {i}: unknown fields kept in raw: {', '.join(sorted(extra))}")
        row["source_format"] = "json"
        records.append((i, row, item))
    if len(pf.warnings) > 5:
        pf.warnings = pf.warnings[:5] + [f"... and {len(pf.warnings) - 5} more rows with unknown fields"]
    return _finish(pf, records, REQUIRED_JSON)


def _legacy_header(path: Path, header: list) -> dict[int, str]:
    mapping = {}
    for j, name in enumerate(header):
        key = fold_header(name)
        if key in _LEGACY_BY_FOLDED:
            mapping[j] = _LEGACY_BY_FOLDED[key]
    missing = [k for k, v in LEGACY_FIELDS.items() if v not in mapping.values()
               and v in ("register_number", "status", "service_name", "municipality_text")]
    if missing:
        unknown = {fold_header(h): str(h) for j, h in enumerate(header) if j not in mapping and h}
        similar = sorted({unknown[m] for k in missing
                          for m in difflib.get_close_matches(fold_header(k), list(unknown), n=2, cutoff=0.6)})
        hint = f" (similar: {', '.join(similar)} — renamed?)" if similar else ""
        raise IngestionError(path, f"missing required column(s): {', '.join(missing)}{hint}; header was {header!r}")
    return mapping


def _legacy_records(path: Path, table: list[tuple[int, list]], header: list) -> list[tuple[int, dict, dict]]:
    mapping = _legacy_header(path, header)
    names = [str(h or f"column_{j + 1}").strip() for j, h in enumerate(header)]
    records = []
    for source_row, values in table:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        original = {names[j] if j < len(names) else f"column_{j + 1}": _text(v) for j, v in enumerate(values)}
        row = {col: None for col in COLUMNS}
        if len(values) != len(header):
            row["_field_count_error"] = f"expected {len(header)} fields, found {len(values)}"
        for j, col in mapping.items():
            row[col] = _text(values[j]) if j < len(values) else None
        extra = {names[j]: _text(values[j]) for j in range(min(len(values), len(names))) if j not in mapping}
        if extra:
            row["extra_fields"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        row["source_format"] = "xlsx" if ".xlsx" in path.name else "csv"
        records.append((source_row, row, original))
    return records


def parse_legacy(path: Path) -> ParsedFile:
    if ".xlsx" in path.name:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(read_bytes(path)), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise IngestionError(path, f"not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from exc
        ws = wb.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
        wb.close()
        pf = ParsedFile(path, encoding="xlsx")
        # A title row may stand above the header.
        marker = fold_header(LEGACY_HEADER_MARKER)
        header_at = next((k for k, (_, r) in enumerate(rows[:5]) if any(fold_header(v) == marker for v in r)), None)
        if header_at is None:
            raise IngestionError(path, f"no header row with {LEGACY_HEADER_MARKER!r} in the first five rows")
        header = [v for v in rows[header_at][1]]
        while header and header[-1] is None:
            header.pop()
        # Sheets without a <dimension> element give rows cut at their last non-empty cell: pad them.
        width = len(header)
        body = [(i, r[:width] + [None] * (width - len(r)) + [v for v in r[width:] if v is not None])
                for i, r in rows[header_at + 1:]]
    else:
        text, enc = decode_text(read_bytes(path), path)
        pf = ParsedFile(path, encoding=enc)
        numbered = csv_records(text, path, delimiter=";")
        header = numbered[0][1]
        body = numbered[1:]
    records = _legacy_records(path, body, header)
    if not records:
        pf.warnings.append("no records: the file holds a header only")
    required = REQUIRED_LEGACY
    checked = []
    for source_row, row, original in records:
        if err := row.pop("_field_count_error", None):
            pf.rejected.append(Rejected(source_row, err, original))
            continue
        if not (row.get("municipality_text") or "").strip():
            if not (row.get("address") or "").strip():
                pf.rejected.append(Rejected(source_row, "missing municipality and address", original))
                continue
            row["municipality_text"] = municipality_from_address(row["address"])
        checked.append((source_row, row, original))
    return _finish(pf, checked, required)


def parse_file(path: Path) -> ParsedFile:
    return parse_json(path) if JSON_PATTERN.match(path.name) else parse_legacy(path)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_audit(con)
    con.execute(DDL)


def _check_snapshot(con, snapshot: dt.date, files: list[Path],
                    force: bool) -> tuple[list[Path], list[str], dict | None]:
    """The file to load for a snapshot, warnings, and the previous totals when it is already loaded unchanged."""
    if snapshot > dt.date.today() + dt.timedelta(days=1):
        raise IngestionError(files[0], f"snapshot date {snapshot} is in the future")
    files, warnings = same_content_files(files)
    if len(files) > 1:
        raise IngestionError(files[0], f"{len(files)} different files for snapshot {snapshot}: "
                                       f"{', '.join(f.name for f in files)}; keep one")
    ensure_tables(con)
    previous = None if force else already_loaded(con, SOURCE, snapshot.isoformat(), files, PARSER_VERSION)
    return files, warnings, previous


def _write_snapshot(con, snapshot: dt.date, parsed: list[ParsedFile], warnings: list[str]) -> tuple[dict, list[str]]:
    totals = write_file_partition(con, source=SOURCE, table=TABLE, columns=COLUMNS, parsed=parsed,
                                  partition_column=PARTITION_COLUMN, partition_key=snapshot.isoformat(),
                                  partition_value=snapshot, parser_version=PARSER_VERSION)
    return totals, warnings + [w for pf in parsed for w in pf.warnings]


def load_snapshot(con: duckdb.DuckDBPyConnection, snapshot: dt.date, files: list[Path],
                  force: bool = False) -> tuple[dict, list[str]]:
    """Load one snapshot partition from its file(s); return (row totals, warnings).

    A snapshot already loaded from the same file by this parser version is not loaded again (totals say
    `unchanged`) unless `force`; two files of one snapshot with the same content load once."""
    files, warnings, previous = _check_snapshot(con, snapshot, files, force)
    if previous:
        return previous, warnings
    return _write_snapshot(con, snapshot, [parse_file(f) for f in files], warnings)


def _parse_files(files: list[Path]) -> list[ParsedFile]:
    return [parse_file(f) for f in files]


PARALLEL_FROM_BYTES = 32 * 1024 * 1024


def load_snapshots(con: duckdb.DuckDBPyConnection, jobs: list[tuple[dt.date, list[Path]]], force: bool = False,
                   workers: int | None = None):
    """Load many snapshots, yielding (snapshot, totals, warnings, error) in the order given.

    Parsing is Python-bound and the files are independent, so it runs in worker processes (one per core) while
    this process writes the parsed snapshots to DuckDB, the single writer, in order. At most two snapshots per
    worker are parsed ahead, which bounds memory at national scale. An `IngestionError` of one snapshot is
    yielded as its error; the others load."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = workers or min(os.cpu_count() or 1, 4)
    pending = []  # (snapshot, future or None, warnings, previous or error)
    for snapshot, files in jobs:
        try:
            kept, warnings, previous = _check_snapshot(con, snapshot, files, force)
            pending.append((snapshot, kept, warnings, previous, None))
        except IngestionError as exc:
            pending.append((snapshot, files, [], None, exc))
    to_parse = [p for p in pending if p[3] is None and p[4] is None]
    # Starting worker processes costs about a second each: worth it from some tens of MB to parse.
    parse_bytes = sum(f.stat().st_size for p in to_parse for f in p[1])
    if workers <= 1 or len(to_parse) <= 1 or parse_bytes < PARALLEL_FROM_BYTES:
        for snapshot, files, warnings, previous, error in pending:
            if error or previous:
                yield snapshot, previous, warnings, error
                continue
            try:
                yield snapshot, *_write_snapshot(con, snapshot, _parse_files(files), warnings), None
            except IngestionError as exc:
                yield snapshot, None, warnings, exc
        return
    # spawn, not fork: the caller runs threads (Dagster's, DuckDB's) that a forked child would inherit mid-lock.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures: dict[int, object] = {}
        ahead = 2 * workers
        next_submit = 0

        def submit_until(limit: int) -> None:
            nonlocal next_submit
            while next_submit < len(pending) and len(futures) < limit:
                _, files, _, previous, error = pending[next_submit]
                if previous is None and error is None:
                    futures[next_submit] = pool.submit(_parse_files, files)
                next_submit += 1

        submit_until(ahead)
        for i, (snapshot, _files, warnings, previous, error) in enumerate(pending):
            submit_until(ahead)
            if error or previous:
                yield snapshot, previous, warnings, error
                continue
            future = futures.pop(i)
            try:
                try:
                    parsed = future.result()
                except IngestionError:
                    raise
                except Exception:  # a worker that died or failed otherwise: parse here, where errors show plainly
                    parsed = _parse_files(_files)
                yield snapshot, *_write_snapshot(con, snapshot, parsed, warnings), None
            except IngestionError as exc:
                yield snapshot, None, warnings, exc
