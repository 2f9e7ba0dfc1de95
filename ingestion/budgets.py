"""Municipal budget execution, social-service statistics, social services' staffing
(docs/inputs.md#municipal-budgets-statistics-and-staffing) and clients of long-term care by age group
(docs/inputs.md#clients-of-long-term-care-by-age-group): four yearly `;`-separated files with a BOM, decimal
commas and thousands spaces, each read into its raw table, one row per file row. Numbers, currencies and ATVK codes
are parsed here, once; the text as written stays beside them. A row that cannot be trusted (unreadable number,
negative amount, code in no classifier, another year, duplicate) is rejected with its reason."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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
    parse_lv_number,
    read_bytes,
    write_file_partition,
)
from ingestion.population_age import fold_age_group
from ingestion.sources import (
    BUDGET_EXPENDITURE,
    LONG_TERM_CARE_CLIENTS,
    SOCIAL_SERVICE_STAFFING,
    SOCIAL_SERVICE_STATISTICS,
    Source,
)

PARTITION_COLUMN = BUDGET_EXPENDITURE.partition_column  # the same for the four (ingestion/sources.py)
CURRENCIES = {"lvl": "LVL", "ls": "LVL", "eur": "EUR", "€": "EUR", "euro": "EUR", "eiro": "EUR"}
_ATVK = re.compile(r"^\d{1,7}$")
_FUNCTION_CODE = re.compile(r"^\d{2}\.\d{3}$")
# The ministry's age groups of long-term care clients (adults), folded (fold_age_group), to their code.
LTC_AGE_GROUPS = {"18-64": "18_64", "65-79": "65_79", "80-89": "80_89", "90+": "90_plus", "90 un vairak": "90_plus",
                  "90 un vecaki": "90_plus"}


@dataclass(frozen=True)
class YearlyFile:
    """One kind of yearly file: its header (folded) -> raw column, what must be present, what is a number."""

    source: str  # the source's name (ingestion/sources.py): landing key and audit source
    table: str
    header: dict[str, str]
    required: tuple[str, ...]
    amounts: tuple[str, ...] = ()  # decimal amounts, parsed into <column>_amount
    counts: tuple[str, ...] = ()  # whole numbers, parsed into <column>_count
    key: tuple[str, ...] = ()  # unique within a file, together with the year
    has_currency: bool = False
    age_grouped: bool = False  # an `age_group` column written as published, coded into `age_group_code`
    labels: dict[str, str] = field(default_factory=dict)  # raw column -> header as the publisher writes it

    @property
    def columns(self) -> list[str]:
        parsed = [f"{c}_amount" for c in self.amounts] + [f"{c}_count" for c in self.counts]
        return list(self.header.values()) + (["currency_code"] if self.has_currency else []) + \
            (["age_group_code"] if self.age_grouped else []) + parsed + ["extra_fields"]

    def ddl(self) -> str:
        types = {c: "varchar" for c in self.columns}
        types.update({f"{c}_amount": "decimal(18, 2)" for c in self.amounts})
        types.update({f"{c}_count": "integer" for c in self.counts})
        return (f"create table if not exists raw.{self.table} (\n    "
                + ", ".join(f"{c} {t}" for c, t in types.items())
                + f",\n    _source_file varchar, _source_row integer, _file_sha256 varchar, _loaded_at timestamp,"
                  f"\n    {PARTITION_COLUMN} integer)")


def _spec(source: Source, header: list[tuple[str, str]], **kwargs) -> YearlyFile:
    return YearlyFile(source.name, source.table, {fold_header(h): c for h, c in header},
                      labels={c: h for h, c in header}, **kwargs)


EXPENDITURE = _spec(
    BUDGET_EXPENDITURE,
    [("Gads", "year"), ("ATVK kods", "atvk_code"), ("Pašvaldība", "municipality_name"),
     ("Funkcijas kods", "function_code"), ("Funkcijas nosaukums", "function_name"), ("Plāns", "planned"),
     ("Izpilde", "executed"), ("Valūta", "currency")],
    required=("year", "atvk_code", "function_code", "executed", "currency"),
    amounts=("planned", "executed"), key=("atvk_code", "function_code"), has_currency=True)
STATISTICS = _spec(
    SOCIAL_SERVICE_STATISTICS,
    [("Gads", "year"), ("ATVK kods", "atvk_code"), ("Pašvaldība", "municipality_name"),
     ("Pakalpojums", "service_name"), ("Klientu skaits", "clients"), ("Izdevumi", "expenditure"),
     ("Valūta", "currency")],
    required=("year", "atvk_code", "service_name"),
    amounts=("expenditure",), counts=("clients",), key=("atvk_code", "service_name"), has_currency=True)
STAFFING = _spec(
    SOCIAL_SERVICE_STAFFING,
    [("Gads", "year"), ("ATVK kods", "atvk_code"), ("Pašvaldība", "municipality_name"),
     ("Sociālā darba speciālisti", "social_work_specialists"), ("Citi darbinieki", "other_staff")],
    required=("year", "atvk_code", "social_work_specialists"),
    counts=("social_work_specialists", "other_staff"), key=("atvk_code",))
LONG_TERM_CARE = _spec(
    LONG_TERM_CARE_CLIENTS,
    [("Gads", "year"), ("ATVK kods", "atvk_code"), ("Pašvaldība", "municipality_name"),
     ("Vecuma grupa", "age_group"), ("Klienti gada beigās", "clients_year_end"),
     ("Jaunie klienti gadā", "new_clients")],
    required=("year", "atvk_code", "age_group", "clients_year_end"),
    counts=("clients_year_end", "new_clients"), key=("atvk_code", "age_group_code"), age_grouped=True)
FILES = {spec.source: spec for spec in (EXPENDITURE, STATISTICS, STAFFING, LONG_TERM_CARE)}


def _read_table(path: Path) -> tuple[ParsedFile, list[tuple[int, list[str]]]]:
    """The file's records numbered by the physical line each starts on (a quoted field may span lines)."""
    text, enc = decode_text(read_bytes(path), path)
    numbered = csv_records(text, path, delimiter=";")
    return ParsedFile(path, encoding=enc), numbered


def _header_map(path: Path, spec: YearlyFile, header: list[str]) -> dict[int, str]:
    mapping = {j: spec.header[fold_header(name)] for j, name in enumerate(header) if fold_header(name) in spec.header}
    missing = [spec.labels[c] for c in spec.header.values() if c not in mapping.values()
               and (c in spec.required or c in spec.amounts or c in spec.counts)]
    if len(header) == 1 and ("," in header[0] or "\t" in header[0]):
        raise IngestionError(path, f"expected a ';'-separated file; the header is {header[0]!r}")
    if missing:
        raise IngestionError(path, f"missing required column(s): {', '.join(missing)}; header was {header!r}")
    return mapping


def _number(spec: YearlyFile, column: str, text: str | None, whole: bool) -> float | int | None:
    """Parse one number as written; ValueError with the reason when it cannot be trusted."""
    label = spec.labels[column]
    try:
        value = parse_lv_number(text)
    except ValueError:
        raise ValueError(f"{label} is not a number: {text!r}") from None
    if value is None:
        return None
    if value < 0:
        raise ValueError(f"{label} is negative: {text!r}")
    if whole:
        if value != int(value):
            raise ValueError(f"{label} is not a whole number: {text!r}")
        return int(value)
    return round(value, 2)


def _check_row(spec: YearlyFile, row: dict, year: int) -> str | None:
    """Parse the row's year, code, currency and numbers in place; the reason it is rejected, or None."""
    missing = [spec.labels[c] for c in spec.required if not (row.get(c) or "").strip()]
    if missing:
        return "missing " + ", ".join(missing)
    written_year = row["year"].strip()
    if written_year != str(year):
        return f"year {written_year!r} in the file of {year}"
    code = row["atvk_code"].strip()
    if not _ATVK.match(code):
        return f"ATVK code is not a code of up to 7 digits: {row['atvk_code']!r}"
    row["atvk_code"] = code.zfill(7)  # spreadsheets drop leading zeros: 10000 is 0010000
    if row["atvk_code"] not in reference.atvk_codes():
        return f"ATVK code {row['atvk_code']} is in no classifier (not in seeds/municipalities.csv)"
    if "function_code" in spec.header.values():
        row["function_code"] = row["function_code"].strip()
        if not _FUNCTION_CODE.match(row["function_code"]):
            return f"functional code is not of the form 10.100: {row['function_code']!r}"
    if spec.age_grouped:
        code = LTC_AGE_GROUPS.get(fold_age_group(row["age_group"]))
        if code is None:
            return f"age group is none of 18–64, 65–79, 80–89, 90 un vairāk: {row['age_group']!r}"
        row["age_group_code"] = code
    try:
        for column in spec.amounts:
            row[f"{column}_amount"] = _number(spec, column, row.get(column), whole=False)
        for column in spec.counts:
            row[f"{column}_count"] = _number(spec, column, row.get(column), whole=True)
    except ValueError as exc:
        return str(exc)
    if spec is STATISTICS and row["clients_count"] is None and row["expenditure_amount"] is None:
        return "neither clients nor expenditure"
    if spec.has_currency:
        written = (row.get("currency") or "").strip()
        if not written and all(row.get(f"{c}_amount") is None for c in spec.amounts):
            row["currency_code"] = None  # no amount, so no currency needed
        elif not written:
            return f"missing {spec.labels['currency']}"
        elif written.lower() not in CURRENCIES:
            return f"unknown currency {written!r} (LVL or EUR)"
        else:
            row["currency_code"] = CURRENCIES[written.lower()]
            expected = reference.currency_of_year(year)
            if row["currency_code"] != expected:
                return (f"amount in {row['currency_code']} in the file of {year}: the currency of {year} is "
                        f"{expected} (the euro replaced the lats on 1 January 2014)")
    return None


def parse_file(path: Path, spec: YearlyFile, year: int) -> ParsedFile:
    """Read one yearly file of the given kind into good rows and rejected rows."""
    pf, numbered = _read_table(path)
    header = numbered[0][1]
    mapping = _header_map(path, spec, header)
    names = [str(h).strip() or f"column_{j + 1}" for j, h in enumerate(header)]
    seen: dict[tuple, int] = {}
    for source_row, values in numbered[1:]:
        if all(str(v).strip() == "" for v in values):
            continue
        original = {names[j] if j < len(names) else f"column_{j + 1}": v for j, v in enumerate(values)}
        if len(values) != len(header):
            pf.rejected.append(Rejected(source_row, f"expected {len(header)} fields, found {len(values)}", original))
            continue
        row: dict = {column: None for column in spec.columns}
        for j, column in mapping.items():
            row[column] = values[j] if values[j].strip() != "" else None
        extra = {names[j]: values[j] for j in range(len(values)) if j not in mapping}
        if extra:
            row["extra_fields"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        reason = _check_row(spec, row, year)
        if reason is None:
            key = tuple(str(row[c]).strip() for c in spec.key)
            if key in seen:
                labels = ", ".join(spec.labels.get(c) or spec.labels[c.removesuffix("_code")] for c in spec.key)
                reason = f"duplicate of row {seen[key]} (same {labels})"
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
    for spec in FILES.values():
        con.execute(spec.ddl())


def load_year(con: duckdb.DuckDBPyConnection, source: str, year: int, files: list[Path]) -> tuple[dict, list[str]]:
    """Load one year's file of one kind, replacing that year's partition; return (row totals, warnings)."""
    spec = FILES[source]
    if len(files) > 1:
        raise IngestionError(files[0], f"{len(files)} files for {source} {year}: "
                                       f"{', '.join(f.name for f in files)}; keep one")
    parsed = [parse_file(f, spec, year) for f in files]
    ensure_tables(con)
    totals = write_file_partition(con, source=source, table=spec.table, columns=spec.columns, parsed=parsed,
                                  partition_column=PARTITION_COLUMN, partition_key=str(year), partition_value=year)
    return totals, [w for pf in parsed for w in pf.warnings]
