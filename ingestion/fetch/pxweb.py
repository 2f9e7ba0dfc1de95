"""The statistics bureau's PxWeb API: the query sent, and its answer (json-stat2, read in its own `id` / `size` /
`dimension` order, or PxWeb's CSV) turned into the landing format the population reader takes
(docs/inputs.md#population): `;`-separated, one row per area, one column per year, `..` for no value."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from ingestion.fetch.catalogue import Source

_CODE = re.compile(r"^LV\s?\d{7}$", re.IGNORECASE)
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
NO_VALUE = ".."


class TableError(ValueError):
    """An answer that is not an area × year table."""


@dataclass
class Table:
    area_title: str
    areas: list[str]  # area labels as the population reader takes them (`LV0040000 Ogres novads`, …)
    years: list[str]
    values: dict[tuple[int, int], object]  # (area index, year index) -> number; missing = no value


def table_url(base: str, source: Source) -> str:
    return f"{base.rstrip('/')}/{source.table.strip('/')}"


def query_body(source: Source) -> dict:
    return {"query": source.query, "response": {"format": source.response_format}}


def _category(dim: dict, name: str) -> list[tuple[str, str]]:
    """(code, label) of a dimension's categories in their index order."""
    cat = dim.get("category") if isinstance(dim, dict) else None
    if not isinstance(cat, dict):
        raise TableError(f"dimension {name} has no categories")
    index = cat.get("index")
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    else:
        codes = [str(c) for c in (cat.get("label") or {})]
    labels = cat.get("label") or {}
    return [(c, str(labels.get(c, c))) for c in codes]


def area_label(code: str, label: str) -> str:
    """`LV0040000 Ogres novads` for a coded area (the code put before its name unless the label has it), else the
    label as written (a pre-reform name with its `(līdz 01.07.2021.)`)."""
    label = label.strip()
    if _CODE.match(code) and not label.upper().startswith(code.upper()):
        return f"{code} {label}"
    return label


def from_jsonstat2(doc: object, area_dimension: str, time_dimension: str) -> Table:
    """Read a json-stat2 dataset: values are stored row-major in the order of `id` (the last dimension fastest);
    every dimension but area and time must hold one category."""
    if not isinstance(doc, dict) or doc.get("class") != "dataset":
        raise TableError('not a json-stat2 dataset (no "class": "dataset")')
    ids, sizes, dims = doc.get("id"), doc.get("size"), doc.get("dimension")
    if not (isinstance(ids, list) and isinstance(sizes, list) and isinstance(dims, dict) and len(ids) == len(sizes)):
        raise TableError("json-stat2 without matching `id`, `size` and `dimension`")
    for name in (area_dimension, time_dimension):
        if name not in ids:
            raise TableError(f"json-stat2 without the dimension {name} (it has {', '.join(map(str, ids))})")
    cats = {name: _category(dims.get(name), name) for name in ids}
    for name, size in zip(ids, sizes):
        if len(cats[name]) != size:
            raise TableError(f"dimension {name}: size {size} but {len(cats[name])} categories")
        if name not in (area_dimension, time_dimension) and size != 1:
            raise TableError(f"dimension {name} has {size} categories; the query must select one")
    total = 1
    for size in sizes:
        total *= size
    raw = doc.get("value")
    if isinstance(raw, list):
        if len(raw) != total:
            raise TableError(f"{len(raw)} values for {total} cells")
        cell = dict(enumerate(raw))
    elif isinstance(raw, dict):
        cell = {int(k): v for k, v in raw.items()}
    else:
        raise TableError("json-stat2 without values")
    strides, stride = {}, 1
    for name, size in reversed(list(zip(ids, sizes))):
        strides[name] = stride
        stride *= size
    values = {}
    for a in range(len(cats[area_dimension])):
        for t in range(len(cats[time_dimension])):
            v = cell.get(a * strides[area_dimension] + t * strides[time_dimension])
            if v is not None:
                values[(a, t)] = v
    title = str((dims[area_dimension] or {}).get("label") or "Teritoriālā vienība")
    years = [_year(label if _YEAR.search(label) else code) for code, label in cats[time_dimension]]
    return Table(title, [area_label(c, lab) for c, lab in cats[area_dimension]], years, values)


def from_csv(text: str) -> Table:
    """PxWeb's CSV answer: the first column the area, every other column one year (its header holds the year)."""
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count)
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(c.strip() for c in r)]
    if len(records) < 2:
        raise TableError("a CSV without a header row and at least one area")
    header = records[0]
    years = [_year(h) for h in header[1:]]
    values = {}
    for a, record in enumerate(records[1:]):
        if len(record) != len(header):
            raise TableError(f"CSV line {a + 2}: {len(record)} fields, the header has {len(header)}")
        for t, v in enumerate(record[1:]):
            if v.strip() not in ("", "..", "...", "-", "…"):
                values[(a, t)] = int(v.strip()) if v.strip().isdigit() else v.strip()
    return Table(header[0] or "Teritoriālā vienība", [r[0].strip() for r in records[1:]], years, values)


def _year(text: str) -> str:
    m = _YEAR.search(str(text))
    if not m:
        raise TableError(f"a time category without a year: {text!r}")
    return m.group(1)


def parse_answer(source: Source, data: bytes) -> Table:
    """The table of an answer in the source's response format; TableError when it is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(f"not UTF-8 ({exc})") from exc
    if source.response_format == "csv":
        table = from_csv(text)
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TableError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
        table = from_jsonstat2(doc, source.area_dimension, source.time_dimension)
    if not table.areas or not table.years:
        raise TableError("an empty table: no areas or no years")
    if len(set(table.years)) != len(table.years):
        raise TableError(f"a year twice among {table.years}")
    return table


def landing_bytes(table: Table) -> bytes:
    """The table in the landing format (UTF-8 with a byte-order mark, as the bureau's exports): deterministic, so
    the same answer always gives the same file."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([table.area_title, *table.years])
    for a, label in enumerate(table.areas):
        row: list = [label]
        for t in range(len(table.years)):
            v = table.values.get((a, t))
            row.append(_number(v) if v is not None else NO_VALUE)
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number(value: object):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)
