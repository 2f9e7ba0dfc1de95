"""Shared rules for reading messy Latvian public files (encodings, numbers, dates) and for writing a file's rows
into the warehouse: raw rows with lineage, rejected rows with reasons and one load-log row, in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from ingestion.fetch.archive import provenance

BOM = b"\xef\xbb\xbf"
# The Latvian letters with diacritics and their plain letters: the Python copy of the table (the SQL copy is the dbt
# macro `fold_lv` in dbt_project/macros/latvian_text.sql; tests/unit/test_common_parsing.py pins that the two agree).
LV_DIACRITICS = "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"
LV_PLAIN = "acegiklnsuzACEGIKLNSUZ"
WITHOUT_DIACRITICS = str.maketrans(LV_DIACRITICS, LV_PLAIN)
_SPACES = re.compile(r"\s+")
_HEADER_QUOTES = "\"'“”„«»"
_DATE_LV = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\.?\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


class IngestionError(Exception):
    """A file that matches a source pattern but cannot be read at all; the message names the file and reason."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self):  # picklable with its two arguments: files are parsed in worker processes
        return type(self), (self.path, self.reason)


@dataclass
class Rejected:
    source_row: int
    reason: str
    raw_record: dict


@dataclass
class ParsedFile:
    """The outcome of reading one file: good rows (dicts of raw columns), rejected rows, and what was noticed."""

    path: Path
    rows: list[dict] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.rejected)


def fold_header(name: object) -> str:
    """A header (or sheet) name as compared by every reader: lower case, no diacritics, single spaces, trimmed, and
    without the byte-order mark or quotes a cell can carry (`"\ufeffReģ.  Nr. "` = `Reg. Nr.` = `reg. nr.`).

    Exports of the same file differ in exactly these ways: a hand-made copy written without diacritics, a BOM left
    in the first cell, a quoted cell pasted into a workbook."""
    text = str(name if name is not None else "").replace("\ufeff", "")
    text = _SPACES.sub(" ", text).strip().strip(_HEADER_QUOTES).strip()
    return text.lower().translate(WITHOUT_DIACRITICS)


def fold_lv_sql(expr: str) -> str:
    """The SQL expression folding `expr` as the dbt macro `fold_lv` folds it (dbt_project/macros/latvian_text.sql):
    lower case, no diacritics, single spaces, trimmed — for the checks' queries, so a check compares what the models
    compare. It is DuckDB's SQL, as every check query is; each target's engine turns it into its own
    (orchestration/engines: Spark refuses the `'g'` flag)."""
    return f"trim(regexp_replace(translate(lower({expr}), '{LV_DIACRITICS}', '{LV_PLAIN.lower()}'), '\\s+', ' ', 'g'))"


def read_bytes(path: Path) -> bytes:
    """File content, transparently gunzipped for `*.gz` files."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise IngestionError(path, f"not a readable gzip file ({exc})") from exc
    return data


def decode_text(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1257; return (text, encoding).

    Windows-1257 decodes nearly any byte string, so UTF-8 is tried first: valid UTF-8 with Latvian letters is
    practically never valid-looking Windows-1257 text by accident, while the reverse happens all the time. A file
    whose lines mix both (two exports glued together) is decoded line by line and reported as `mixed`."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise IngestionError(path, f"starts with a UTF-16 byte-order mark but is not UTF-16 ({exc})") from exc
    if BOM in data[len(BOM):]:
        raise IngestionError(path, "a byte-order mark in the middle of the file (two files concatenated?)")
    if data.startswith(BOM):
        data = data[len(BOM):]
        enc = "utf-8-sig"
    else:
        enc = "utf-8"
    if b"\x00" in data:
        raise IngestionError(path, "NUL bytes: a binary file, or UTF-16 without a byte-order mark")
    try:
        return data.decode("utf-8"), enc
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    decoded, legacy = [], 0
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                decoded.append(line.decode("cp1257"))
            except UnicodeDecodeError as exc:
                raise IngestionError(path, f"neither UTF-8 nor Windows-1257 ({exc})") from exc
            legacy += 1
    non_ascii_utf8 = sum(1 for line in lines if not line.isascii()) - legacy
    return "".join(decoded), "cp1257" if non_ascii_utf8 == 0 else f"mixed (utf-8 and cp1257 in {legacy} lines)"


def csv_records(text: str, path: Path | str, delimiter: str = ";") -> list[tuple[int, list[str]]]:
    """The records of a CSV text, each numbered by the physical line it starts on (a quoted field may span lines).

    An unreadable CSV or a file without even a header row raises IngestionError naming the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered, line = [], 0
    try:
        for record in reader:
            numbered.append((line + 1, record))
            line = reader.line_num
    except csv.Error as exc:
        raise IngestionError(path, f"unreadable CSV at line {reader.line_num}: {exc}") from exc
    if not numbered:
        raise IngestionError(path, "empty file: no header row")
    return numbered


def parse_lv_date(value: str | None) -> dt.date | None:
    """`dd.mm.yyyy` (optionally with a trailing dot) or ISO `yyyy-mm-dd`; empty gives None; else ValueError."""
    if value is None or str(value).strip() == "":
        return None
    s = str(value)
    if m := _DATE_LV.match(s):
        d, mo, y = (int(g) for g in m.groups())
        return dt.date(y, mo, d)
    if m := _DATE_ISO.match(s):
        y, mo, d = (int(g) for g in m.groups())
        return dt.date(y, mo, d)
    raise ValueError(f"not a date: {value!r}")


def parse_lv_number(value: str | float | int | None) -> float | None:
    """`1 234 567,89` (space or no-break space thousands, decimal comma) or plain numbers; empty gives None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if s in ("", "..", "-"):
        return None
    if "," in s and "." in s and s.rindex(".") > s.rindex(","):
        # `1,234.50` is the English way round; read as Latvian it would silently be 1.2345.
        raise ValueError(f"not a number in Latvian notation (decimal point after a comma): {value!r}")
    if s.count(",") > 1:
        raise ValueError(f"not a number (several decimal commas): {value!r}")
    if "," in s:
        s = s.replace(".", "").replace(",", ".")  # dots before a decimal comma separate thousands
    try:
        number = float(s)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"not a number: {value!r}")
    return number


def sha256_file(path: Path) -> str:
    """SHA-256 of the file's bytes as stored; asked several times per load (unchanged? twins? load log), so
    remembered per path, size and modification time."""
    stat = Path(path).stat()
    return _sha256_file(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _sha256_file(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


AUDIT_DDL = [
    "create schema if not exists raw",
    "create schema if not exists audit",
    """create table if not exists audit.rejected_rows (
        source varchar, source_file varchar, source_row integer, reason varchar, raw_record varchar,
        partition_key varchar, loaded_at timestamp)""",
    """create table if not exists audit.load_log (
        source varchar, source_file varchar, sha256 varchar, file_size bigint, encoding varchar,
        rows_read integer, rows_loaded integer, rows_rejected integer, partition_key varchar,
        loaded_at timestamp)""",
    # Added later; warehouses created before keep working.
    "alter table audit.load_log add column if not exists parser_version varchar",
    # Where a fetched file came from (the archive's manifest, ingestion/fetch/archive.py); NULL for hand-dropped ones.
    "alter table audit.load_log add column if not exists source_url varchar",
    "alter table audit.load_log add column if not exists retrieved_at timestamp",
]


def ensure_audit(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in AUDIT_DDL:
        con.execute(ddl)


def same_content_files(files: list[Path]) -> tuple[list[Path], list[str]]:
    """Drop files whose content (after gunzip) equals an earlier one's: the same file dropped twice loads once."""
    if len(files) < 2:  # nothing to compare: spare reading (and gunzipping) the file
        return list(files), []
    kept, seen, notes = [], {}, []
    for path in files:
        digest = hashlib.sha256(read_bytes(path)).hexdigest()
        if digest in seen:
            notes.append(f"{path.name} has the same content as {seen[digest].name}: loaded once")
            continue
        seen[digest] = path
        kept.append(path)
    return kept, notes


def already_loaded(con: duckdb.DuckDBPyConnection, source: str, partition_key: str, files: list[Path],
                   parser_version: str) -> dict | None:
    """The totals of the previous load when this partition was loaded from exactly these files (same names, same
    SHA-256) by the same parser version; None when it must be (re)loaded."""
    ensure_audit(con)
    logged = con.execute("select source_file, sha256, rows_read, rows_loaded, rows_rejected, parser_version "
                         "from audit.load_log where source = ? and partition_key = ?",
                         [source, partition_key]).fetchall()
    wanted = {(f.name, sha256_file(f)) for f in files}
    if not logged or {(r[0], r[1]) for r in logged} != wanted or any(r[5] != parser_version for r in logged):
        return None
    return {"rows_read": sum(r[2] for r in logged), "rows_loaded": sum(r[3] for r in logged),
            "rows_rejected": sum(r[4] for r in logged), "unchanged": True,
            "files": [{"file": str(f), "sha256": sha256_file(f), "size_bytes": f.stat().st_size} for f in files]}


def write_file_partition(con: duckdb.DuckDBPyConnection, *, source: str, table: str, columns: list[str],
                         parsed: list[ParsedFile], partition_column: str, partition_key: str,
                         partition_value: object, parser_version: str = "", own_transaction: bool = True) -> dict:
    """Replace one partition of `raw.<table>` and its audit rows with the parsed files, atomically.

    Re-running a partition therefore gives the same raw rows (idempotent), and a failure leaves the previous
    content in place. With `own_transaction=False` the caller holds the transaction, so that several writes of
    one file (the sheets of a workbook, the rows filtered out of it) commit or roll back together."""
    import pandas as pd  # here, not at module level: loading the Dagster definitions should not pay for it

    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    if own_transaction:
        con.execute("begin transaction")
    try:
        con.execute(f"delete from raw.{table} where {partition_column} = ?", [partition_value])
        con.execute("delete from audit.rejected_rows where source = ? and partition_key = ?", [source, partition_key])
        con.execute("delete from audit.load_log where source = ? and partition_key = ?", [source, partition_key])
        totals = {"rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "files": []}
        for pf in parsed:
            sha = sha256_file(pf.path)
            lineage = {"_source_file": str(pf.path.name), "_file_sha256": sha, "_loaded_at": loaded_at,
                       partition_column: partition_value}
            if pf.rows:
                # Column by column: a frame from lists is several times faster than one from a list of dicts.
                frame = pd.DataFrame({c: [row.get(c) for row in pf.rows] for c in columns}, columns=columns,
                                     dtype=object)
                frame["_source_row"] = [row["_source_row"] for row in pf.rows]
                for name, value in lineage.items():
                    frame[name] = value
                con.register("_batch", frame)
                con.execute(f"insert into raw.{table} by name select * from _batch")
                con.unregister("_batch")
            if pf.rejected:
                rejected = pd.DataFrame(
                    [[source, pf.path.name, r.source_row, r.reason,
                      json.dumps(r.raw_record, ensure_ascii=False, default=str), partition_key, loaded_at]
                     for r in pf.rejected],
                    columns=["source", "source_file", "source_row", "reason", "raw_record", "partition_key",
                             "loaded_at"])
                con.register("_rejected", rejected)
                con.execute("insert into audit.rejected_rows by name select * from _rejected")
                con.unregister("_rejected")
            source_url, retrieved_at = provenance(pf.path, sha)
            con.execute("insert into audit.load_log (source, source_file, sha256, file_size, encoding, rows_read, "
                        "rows_loaded, rows_rejected, partition_key, loaded_at, parser_version, source_url, "
                        "retrieved_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as timestamp))",
                        [source, pf.path.name, sha, pf.path.stat().st_size, pf.encoding, pf.rows_read,
                         len(pf.rows), len(pf.rejected), partition_key, loaded_at, parser_version, source_url,
                         retrieved_at.rstrip("Z") if retrieved_at else None])
            totals["files"].append({"file": str(pf.path), "sha256": sha, "size_bytes": pf.path.stat().st_size,
                                    "encoding": pf.encoding})
            totals["rows_read"] += pf.rows_read
            totals["rows_loaded"] += len(pf.rows)
            totals["rows_rejected"] += len(pf.rejected)
        if own_transaction:
            con.execute("commit")
    except Exception:
        if own_transaction:
            con.execute("rollback")
        raise
    return totals


def load_whole_file(con: duckdb.DuckDBPyConnection, files: list[Path], *, what: str, parse, ensure_tables,
                    source: str, table: str, columns: list[str], partition_column: str,
                    partition_key: str) -> tuple[dict, list[str]]:
    """Load a source's one file (population, population by age, programme targets), replacing what raw held;
    return (row totals, warnings). Two files of one such source are an error naming both: which one is meant is
    for a person to say."""
    if len(files) > 1:
        raise IngestionError(files[0], f"{len(files)} {what} files: {', '.join(f.name for f in files)}; keep one")
    parsed = [parse(f) for f in files]
    ensure_tables(con)
    totals = write_file_partition(con, source=source, table=table, columns=columns, parsed=parsed,
                                  partition_column=partition_column, partition_key=partition_key,
                                  partition_value=partition_key)
    return totals, [w for pf in parsed for w in pf.warnings]
