"""Regional development programmes' result indicators (docs/inputs.md#programme-result-indicators): one small
`;`-separated file, `reference/programmu_rezultatu_raditaji.csv`, one row per indicator of a programme — its planning
region, programme, period, priority, indicator, service type, baseline (value and year), target (value and year) and
unit — read into `raw.programme_targets`, replaced as a whole. The shared rules are common.py's (encodings, header
folding, decimal commas); the region and service type must be the seeds' and the unit one this module knows."""

from __future__ import annotations

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
    fold_header,
    load_whole_file,
    parse_lv_number,
    read_bytes,
)
from ingestion.sources import PROGRAMME_TARGETS, WHOLE_KEY

SOURCE, TABLE, PARTITION_COLUMN = PROGRAMME_TARGETS.name, PROGRAMME_TARGETS.table, PROGRAMME_TARGETS.partition_column
HEADER = [("Plānošanas reģions", "planning_region"), ("Programma", "programme"), ("Periods", "period"),
          ("Prioritāte", "priority"), ("Rādītājs", "indicator"), ("Pakalpojuma veids", "service_type"),
          ("Bāzes vērtība", "baseline"), ("Bāzes gads", "baseline_year"), ("Mērķa vērtība", "target"),
          ("Mērķa gads", "target_year"), ("Mērvienība", "unit")]
LABELS = {c: h for h, c in HEADER}
REQUIRED = ("planning_region", "programme", "indicator", "service_type", "target", "target_year", "unit")
# Units as written, folded, to what the achieved figure is counted in: providers and places from the register,
# clients from the annual statistics, projects from the EU-funds projects.
UNITS = {"pakalpojumu sniedzeji": "providers", "sniedzeju skaits": "providers", "sniedzeji": "providers",
         "vietas": "places", "vietu skaits": "places", "klienti": "clients", "klientu skaits": "clients",
         "projekti": "projects", "projektu skaits": "projects"}
COLUMNS = [c for _, c in HEADER] + ["service_code", "unit_code", "baseline_value", "baseline_year_value",
                                    "target_value", "target_year_value"]
DDL = f"""create table if not exists raw.{TABLE} (
    {", ".join(f"{c} varchar" for _, c in HEADER)}, service_code varchar, unit_code varchar,
    baseline_value decimal(18, 2), baseline_year_value integer, target_value decimal(18, 2), target_year_value integer,
    _source_file varchar, _source_row integer, _file_sha256 varchar, _loaded_at timestamp,
    {PARTITION_COLUMN} varchar)"""
_YEAR = re.compile(r"^\d{4}$")


def _check(row: dict) -> str | None:
    """Parse the row in place; the reason it is rejected, or None."""
    missing = [LABELS[c] for c in REQUIRED if not (row.get(c) or "").strip()]
    if missing:
        return "missing " + ", ".join(missing)
    region = row["planning_region"].strip()
    if region not in reference.planning_regions():
        return f"planning region is none of the seed's: {row['planning_region']!r}"
    services = {fold_header(name): code for name, code in reference.service_types().items()}
    row["service_code"] = services.get(fold_header(row["service_type"]))
    if row["service_code"] is None:
        return f"service type is none of the seed service_types: {row['service_type']!r}"
    row["unit_code"] = UNITS.get(fold_header(row["unit"]))
    if row["unit_code"] is None:
        return f"unit is none of sniedzēji, vietas, klienti, projekti: {row['unit']!r}"
    for column in ("baseline_year", "target_year"):
        text = (row.get(column) or "").strip()
        if text and not _YEAR.match(text):
            return f"{LABELS[column]} is not a year: {row[column]!r}"
        row[f"{column}_value"] = int(text) if text else None
    for column in ("baseline", "target"):
        try:
            value = parse_lv_number(row.get(column))
        except ValueError:
            return f"{LABELS[column]} is not a number: {row[column]!r}"
        if value is not None and value < 0:
            return f"{LABELS[column]} is negative: {row[column]!r}"
        row[f"{column}_value"] = value
    if row["baseline_year_value"] and row["baseline_year_value"] > row["target_year_value"]:
        return f"baseline year {row['baseline_year_value']} after the target year {row['target_year_value']}"
    return None


def parse_file(path: Path) -> ParsedFile:
    text, enc = decode_text(read_bytes(path), path)
    pf = ParsedFile(path, encoding=enc)
    numbered = csv_records(text, path, delimiter=";")
    header = numbered[0][1]
    known = {fold_header(h): c for h, c in HEADER}
    mapping = {j: known[fold_header(name)] for j, name in enumerate(header) if fold_header(name) in known}
    missing = [LABELS[c] for c in REQUIRED if c not in mapping.values()]
    if missing:
        raise IngestionError(path, f"missing required column(s): {', '.join(missing)}; header was {header!r}")
    seen: dict[tuple, int] = {}
    for source_row, values in numbered[1:]:
        if all(str(v).strip() == "" for v in values):
            continue
        original = {str(header[j]) if j < len(header) else f"column_{j + 1}": v for j, v in enumerate(values)}
        if len(values) != len(header):
            pf.rejected.append(Rejected(source_row, f"expected {len(header)} fields, found {len(values)}", original))
            continue
        row: dict = {c: None for c in COLUMNS}
        for j, column in mapping.items():
            row[column] = values[j].strip() or None
        reason = _check(row)
        if reason is None:
            key = (row["planning_region"], row["programme"], row["indicator"], row["service_code"])
            if key in seen:
                reason = f"duplicate of row {seen[key]} (same region, programme, indicator and service type)"
            else:
                seen[key] = source_row
        if reason:
            pf.rejected.append(Rejected(source_row, reason, original))
            continue
        row["_source_row"] = source_row
        pf.rows.append(row)
    return pf


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_audit(con)
    con.execute(DDL)


def load(con: duckdb.DuckDBPyConnection, files: list[Path]) -> tuple[dict, list[str]]:
    """Load the file, replacing what raw held; return (row totals, warnings)."""
    return load_whole_file(con, files, what="programme indicator", parse=parse_file, ensure_tables=ensure_tables,
                           source=SOURCE, table=TABLE, columns=COLUMNS, partition_column=PARTITION_COLUMN,
                           partition_key=WHOLE_KEY)
