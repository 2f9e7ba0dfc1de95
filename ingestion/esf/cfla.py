"""The CFLA project lists of 2014–2020 and 2021–2027: two column-name variants mapped to one schema, only the
social-services measures kept (the others counted in audit.filtered_rows), amounts, dates and project numbers parsed
with the rules of `ingestion.common`."""

from __future__ import annotations

import datetime as dt
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
    fold_header,
    read_bytes,
    write_file_partition,
)
from ingestion.esf.schema import (
    CFLA_COLUMNS,
    CFLA_PERIODS,
    PARTITION_COLUMN,
    SOURCE_CFLA,
    TABLE_CFLA,
    cell_text,
    ensure_tables,
    typed_amounts,
    typed_dates,
)

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

_CFLA_NUMBER = re.compile(r"^(?P<measure>\d+(?:\.\d+){1,4})(?:/\d+)?/(?P<call>\d{2})/(?P<selection>[A-Z]{1,2})"
                          r"/(?P<serial>\d{1,4})$")


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
        row[col] = cell_text(values[j]) if j < len(values) else None
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
    reason = (typed_amounts(row, {"total_cost": "total cost", "eu_funding": "EU co-financing"})
              or typed_dates(row, {"start_date": "start date", "end_date": "end date"}))
    if reason:
        return reason
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


def check_cfla_header(path: Path, header: list[str]) -> list[str]:
    """The header rules of `parse_cfla` on a header alone (for `lvsocial fetch`, before a download may land):
    IngestionError when a required column is missing or doubled; the warnings otherwise."""
    return _cfla_header(path, header)[2]
