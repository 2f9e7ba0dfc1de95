"""The EU-funds raw tables (CFLA projects, APIA projects and planned services): names, partitions, columns, types
and DDL, and the rules for reading a cell that both file families share."""

from __future__ import annotations

import datetime as dt

import duckdb

from ingestion.common import ensure_audit, parse_lv_date, parse_lv_number
from ingestion.sources import ESF_APIA, ESF_CFLA

# Names, partitions and audit sources as declared in ingestion/sources.py.
PARTITION_COLUMN = ESF_CFLA.partition_column
CFLA_PERIODS = ESF_CFLA.partitions
(APIA_PERIOD,) = ESF_APIA.partitions

SOURCE_CFLA, TABLE_CFLA = ESF_CFLA.name, ESF_CFLA.table
# The APIA workbook's two sheets are two raw tables, each its own audit source.
(TABLE_APIA_PROJECTS, SOURCE_APIA_PROJECTS), (TABLE_APIA_SERVICES, SOURCE_APIA_SERVICES) = (
    (t.name, t.audit_source) for t in ESF_APIA.tables)


CFLA_COLUMNS = ["project_number", "measure_code", "call_year", "selection_code", "serial", "title", "status", "fund",
                "total_cost", "eu_funding", "start_date", "end_date", "target_group", "beneficiary_name",
                "beneficiary_reg_no", "extra_fields"]
_CFLA_TYPES = {"call_year": "integer", "total_cost": "decimal(18,2)", "eu_funding": "decimal(18,2)",
               "start_date": "date", "end_date": "date"}


APIA_PROJECT_COLUMNS = ["project_number", "programme", "activity_code", "call_year", "selection_code", "agency",
                        "serial", "title", "beneficiary_name", "beneficiary_reg_no", "municipality_text", "round",
                        "status", "start_date", "end_date", "currency", "total_cost", "eu_funding", "extra_fields"]
_APIA_PROJECT_TYPES = {"call_year": "integer", "round": "integer", "start_date": "date", "end_date": "date",
                       "total_cost": "decimal(18,2)", "eu_funding": "decimal(18,2)"}
APIA_SERVICE_COLUMNS = ["project_number", "service_name", "novelty", "novelty_as_written", "is_innovative",
                        "innovative_as_written", "method", "target_group", "planned_clients", "extra_fields"]
_APIA_SERVICE_TYPES = {"is_innovative": "boolean", "planned_clients": "integer"}


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



def cell_text(value) -> str | None:
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


def cell_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_lv_date(cell_text(value))


def cell_whole_number(value) -> int | None:
    number = parse_lv_number(cell_text(value) if not isinstance(value, (int, float)) else value)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def typed_amounts(row: dict, labels: dict[str, str]) -> str | None:
    """Parse the amount columns named in `labels` in place (`1 234,50`, ingestion.common.parse_lv_number); the
    reason, by label, when one is not an amount or is negative."""
    for col, label in labels.items():
        try:
            row[col] = parse_lv_number(row[col])
        except ValueError:
            return f"{label} is not an amount: {row[col]!r}"
        if row[col] is not None and row[col] < 0:
            return f"{label} is negative: {row[col]}"
    return None


def typed_dates(row: dict, labels: dict[str, str]) -> str | None:
    """Parse the date columns named in `labels` in place (a workbook's date cell, `dd.mm.yyyy` or ISO); the
    reason, by label, when one is not a date."""
    for col, label in labels.items():
        try:
            row[col] = cell_date(row[col])
        except ValueError:
            return f"{label} is not a date: {row[col]!r}"
    return None
