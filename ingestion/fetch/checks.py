"""What a download must be before it may reach the archive and the landing folder: not an HTML page (an error or
login page served with 200), readable as its format, and of the source's contract (a JSON document with a `data`
list; a CSV with the header the reader requires, checked by the reader's own header rules; an area × year table).
Each check raises CheckError with the reason, or returns the warnings it noticed."""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.common import IngestionError, csv_records, decode_text
from ingestion.fetch import pxweb
from ingestion.fetch.catalogue import Source

_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")


class CheckError(ValueError):
    """A download that is not the data it should be."""


def looks_like_html(start: bytes, content_type: str = "") -> bool:
    head = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "text/html" in content_type.lower() or head.startswith(_HTML_STARTS)


def check(source: Source, path: Path, content_type: str = "") -> list[str]:
    """Check the downloaded (decoded) file of `source`; CheckError names what is wrong."""
    with open(path, "rb") as f:
        start = f.read(512)
    if not start.strip():
        raise CheckError("an empty body")
    if looks_like_html(start, content_type):
        raise CheckError(f"an HTML page, not the data (content type {content_type or 'none'}; an error or login "
                         "page served with 200?)")
    data = path.read_bytes()
    if source.check == "json_data_list":
        return _json_data_list(data, path)
    if source.check == "csv_header":
        return _csv_header(source, data, path)
    if source.check == "pxweb_table":
        try:
            table = pxweb.parse_answer(source, data)
        except pxweb.TableError as exc:
            raise CheckError(f"not an area × year table: {exc}") from exc
        return [f"{len(table.areas)} areas × {len(table.years)} years ({table.years[0]}–{table.years[-1]})"]
    raise CheckError(f"unknown check {source.check!r}")


def _json_data_list(data: bytes, path: Path) -> list[str]:
    try:
        text, _ = decode_text(data, path)
        doc = json.loads(text)
    except IngestionError as exc:
        raise CheckError(exc.reason) from exc
    except json.JSONDecodeError as exc:
        raise CheckError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    records = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(records, list):
        raise CheckError('not a JSON object {"data": [...]} with a list of records')
    if not records:
        raise CheckError('an empty "data" list: no records')
    return [f"{len(records)} records"]


def _csv_header(source: Source, data: bytes, path: Path) -> list[str]:
    if source.contract != "esf_cfla":
        raise CheckError(f"no header rules for contract {source.contract!r}")
    from ingestion.esf.cfla import check_cfla_header

    try:
        text, _ = decode_text(data, path)
        records = csv_records(text, path, delimiter=",")
        warnings = check_cfla_header(path, records[0][1])
    except IngestionError as exc:
        raise CheckError(f"not a CFLA project list: {exc.reason}") from exc
    rows = sum(1 for _, r in records[1:] if any(c.strip() for c in r))
    if rows == 0:
        raise CheckError("a header without rows")
    return [f"{rows} rows", *warnings]
