"""Benchmark-sized landing folders: `python -m ingestion.sample --scale N [--first YYYY-MM] [--last YYYY-MM]`.


Register. The providers are N replicas of the sample's provider universe, each built by the sample's own generator
(`RegisterSample`) with a seed of its own, replica 0 with the sample's seed. So every distribution and quirk of the
sample (cohorts and statuses, service-name and municipality spellings, quoting, capacities, contact details, the
Zemgale calibration) holds per replica, and each snapshot holds about N times the sample's records (exactly 893 × N
on 2 January 2012, the calibrated date). Register number n of replica k becomes (n − 1) × N + k + 1: numbers stay
unique, a file sorted by number still lists providers roughly in order of registration as the sample's does, and at
N = 1 they are the sample's own. Legal codes, unique in the sample, stay unique: a later replica's code that is
already taken is redrawn in the same format. The rows the sample plants for the pipeline to reject are written N
times (numbers and legal codes made unique the same way) into every snapshot of their year, so a snapshot's reject
share is the sample's for that year.

Snapshots are monthly, on the 2nd of every month from January 2010 to January 2026 (or `--first` … `--last`), in the
sample's format of their year: legacy CSV up to 2016 in that year's encoding, JSON from 2017. Only the January
snapshots of the years the sample ships as XLSX (2014, 2016) are workbooks, because openpyxl writes 100,000 rows
slowly; the other months of those years are CSV. JSON is always gzip-compressed (level 1 for speed, mtime 0 so that
the same seed and scale give the same bytes). At N = 1, a January snapshot in CSV or JSON has the sample's content.

One snapshot is written at a time, streamed to its file. Formatting a record is the costly part, so each record's
text is built once (with `json_item` / `legacy_row`, the sample's own functions) and reused for as long as nothing
it shows changes: the map (the 2021 reform, the 2025 Madona merger), the record's own events (`Record.version`: a
rename, a move, a capacity changed, a rewording) and, for the legacy export, the status. A snapshot then costs a
few string concatenations per record.

Municipal budgets, social-service statistics and staffing are written at ×1, exactly as in the sample. Their grain
is closed: one row per year × municipality × functional code (budgets), × service line (statistics) or per
municipality (staffing), and the ingestion rejects a second row of a key. The municipalities are the ATVK classifier
(a code outside `seeds/municipalities.csv` is rejected), the functional codes are the twelve of
`seeds/functional_codes.csv` (a blocking expectation), of which the group total 10.000 must equal the sum of the
others, and a statistics line outside the service maps lands as `unmapped`, while a second spelling of a known line
would be counted twice in the marts. N times the rows would need N times the municipalities, codes or years, none
of which exist; repeating rows under invented keys would benchmark the rejection path, not the data. The EU-funds
files and population are ×1 too.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import gzip
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path

from ingestion.sample import registry_files
from ingestion.sample.registry_files import (
    JSON_STATUS,
    LEGACY_FORMATS,
    LEGACY_HEADER,
    json_item,
    legacy_row,
    service_form,
    write_xlsx,
)
from ingestion.sample.registry_model import LEGACY_YEARS, REFORM, SNAPSHOT_YEARS, Record
from ingestion.sample.registry_sample import RegisterSample
from ingestion.sources import REGISTRY

FIRST_MONTH = dt.date(SNAPSHOT_YEARS[0], 1, 2)
LAST_MONTH = dt.date(SNAPSHOT_YEARS[-1], 1, 2)
# The legacy years the sample ships as XLSX have their other months in CSV, in an encoding of a neighbouring year.
CSV_ENCODING_OF_XLSX_YEARS = {2014: "cp1257", 2016: "utf-8-sig"}
GZIP_LEVEL = 1
MUNICIPALITY_COLUMN = LEGACY_HEADER.index("Pašvaldība")
BATCH = 4096  # records joined into one write
_MARK = "\x00"  # stands for the per-snapshot status and service form in a record's cached JSON text
_MARK_JSON = json.dumps(_MARK)


def monthly_dates(first: dt.date, last: dt.date) -> list[dt.date]:
    """The 2nd of every month from `first`'s month to `last`'s."""
    dates, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        dates.append(dt.date(year, month, 2))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def snapshot_file_name(on: dt.date) -> str:
    if on.year not in LEGACY_YEARS:
        return REGISTRY.file_name(on, 0, ext=".gz")
    kind = LEGACY_FORMATS[on.year][0] if on.month == 1 else "csv"
    return REGISTRY.file_name(on, 1, ext=kind)


def _scaled_number(number: int, replica: int, scale: int) -> int:
    return (number - 1) * scale + replica + 1


def _copy_legal_code(code: str, replica: int) -> str:
    """Legal code of replica k's copy of a planted bad row. The planted codes (4000899999x) differ in their last
    digit only, so copies ten apart never meet."""
    return code if replica == 0 else f"{code[:5]}{int(code[5:]) - 10 * replica:06d}"


def _redrawn_legal_code(code: str, rng: random.Random) -> str:
    """Another code of the same form: a personal code keeps its birth date, an organisation's its prefix."""
    if code[6:7] == "-":
        return f"{code[:7]}{rng.randint(10000, 29999)}"
    return f"{code[:5]}{rng.randint(100000, 999999)}"


def bad_legacy_rows(year: int, scale: int) -> list[list[str]]:
    """The sample's planted rejects of a legacy year, once per replica, so that their share stays the sample's."""
    rows = []
    for k in range(scale):
        for row in registry_files.bad_legacy_rows(year):
            row[0] = str(_scaled_number(int(row[0]), k, scale)) if row[0] else ""
            row[2] = _copy_legal_code(row[2], k)
            rows.append(row)
    return rows


def bad_json_records(year: int, scale: int) -> list[dict]:
    """The sample's planted rejects of a JSON year, once per replica."""
    items = []
    for k in range(scale):
        for item in registry_files.bad_json_records(year):
            if "PakalpojumaSniedzejaRegistracijasNumurs" in item:
                item["PakalpojumaSniedzejaRegistracijasNumurs"] = _scaled_number(
                    item["PakalpojumaSniedzejaRegistracijasNumurs"], k, scale)
            item["RegistracijasNumurs"] = _copy_legal_code(item["RegistracijasNumurs"], k)
            items.append(item)
    return items


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@cache
def _quoted(text: str) -> str:
    return _dumps(text)


class _Entry:
    """A record with its replica and the text last formatted for it, valid while `key` is unchanged."""

    __slots__ = ("rec", "sample", "key", "text")

    def __init__(self, rec: Record, sample: RegisterSample):
        self.rec, self.sample, self.key, self.text = rec, sample, None, None


class ScaledRegister:
    """N replicas of the sample's provider universe, written one snapshot at a time."""

    def __init__(self, seed: int, scale: int):
        self.scale = scale
        replicas = [RegisterSample(seed if k == 0 else f"{seed}:replica:{k}").build() for k in range(scale)]
        reserved = {_copy_legal_code(row[2], k) for k in range(1, scale) for y in SNAPSHOT_YEARS
                    for row in registry_files.bad_legacy_rows(y)}
        reserved |= {_copy_legal_code(item["RegistracijasNumurs"], k) for k in range(1, scale)
                     for y in SNAPSHOT_YEARS for item in registry_files.bad_json_records(y)}
        used, rng = reserved, random.Random(f"{seed}:legal-codes")
        for k, sample in enumerate(replicas):
            # The planted bad rows' numbers (9001–9003) lie above every real one; interleaving keeps them apart.
            assert sample.next_number < 9000, "register numbers would meet the planted bad rows'"
            for unit in sample.units:
                unit.register_number = _scaled_number(unit.register_number, k, scale)
                while unit.legal_code in used:
                    unit.legal_code = _redrawn_legal_code(unit.legal_code, rng)
                used.add(unit.legal_code)
        units = sorted(((u, sample) for sample in replicas for u in sample.units), key=lambda p: p[0].register_number)
        self.entries = [_Entry(rec, sample) for unit, sample in units for rec in unit.records]
        munis = replicas[0].munis
        # A record's text changes with the map: when a municipality version ends (reform, merger) or at the reform.
        changes = {m.valid_to + dt.timedelta(days=1) for m in munis.values() if m.valid_to} | {REFORM}
        self._map_changes = sorted(d.toordinal() for d in changes)

    def _map_era(self, on: dt.date) -> int:
        return bisect.bisect_right(self._map_changes, on.toordinal())

    def _listed(self, on: dt.date) -> Iterator[_Entry]:
        return (e for e in self.entries if e.rec.listed(on))

    def json_texts(self, on: dt.date) -> Iterator[str]:
        """The snapshot's records as JSON texts, as `json_records` would write them for one universe."""
        rng = random.Random(on.toordinal())
        era = self._map_era(on)
        for e in self._listed(on):
            rec = e.rec
            key = ("json", era, rec.version(on))
            if e.key != key:
                e.key, e.text = key, _dumps(json_item(e.sample, rec, on, _MARK, _MARK)).split(_MARK_JSON)
            head, middle, tail = e.text
            status = rng.choice(JSON_STATUS[rec.status(on)])
            yield f"{head}{_quoted(status)}{middle}{_quoted(service_form(rec, rng))}{tail}"

    def legacy_rows(self, on: dt.date) -> Iterator[list[str]]:
        """The snapshot's records as legacy export rows, as `legacy_rows` would write them for one universe."""
        era = self._map_era(on)
        for position, e in enumerate(self._listed(on)):
            rec = e.rec
            key = ("legacy", era, rec.status(on), rec.version(on))
            if e.key != key:
                e.key, e.text = key, legacy_row(e.sample, rec, on, 0)
            row = e.text.copy()
            row[MUNICIPALITY_COLUMN] = e.sample.municipality_written(rec.unit, on, position)
            yield row


@dataclass
class SnapshotWritten:
    name: str
    records: int
    size: int


def _write_json_gz(path: Path, texts: Iterable[str]) -> int:
    """Write `{"data":[...]}` from record texts, gzip-compressed without a name or time in the header."""
    count, batch, sep = 0, [], ""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL,
                                               mtime=0) as gz:
        gz.write(b'{"data":[')
        for text in texts:
            batch.append(text)
            if len(batch) == BATCH:
                gz.write((sep + ",".join(batch)).encode("utf-8"))
                count, batch, sep = count + len(batch), [], ","
        if batch:
            gz.write((sep + ",".join(batch)).encode("utf-8"))
            count += len(batch)
        gz.write(b"]}")
    return count


def _write_csv(path: Path, rows: Iterable[list[str]], encoding: str) -> int:
    count = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(LEGACY_HEADER)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_snapshot(register: ScaledRegister, folder: Path, on: dt.date) -> SnapshotWritten:
    name = snapshot_file_name(on)
    path = folder / name
    if on.year not in LEGACY_YEARS:
        texts = register.json_texts(on)
        bad = (_dumps(item) for item in bad_json_records(on.year, register.scale))
        records = _write_json_gz(path, chain(texts, bad))
    else:
        rows = chain(register.legacy_rows(on), bad_legacy_rows(on.year, register.scale))
        kind, encoding = LEGACY_FORMATS[on.year]
        if name.endswith(".xlsx"):
            records = write_xlsx(path, LEGACY_HEADER, rows, title=encoding == "title", on=on, streaming=True)
        else:
            records = _write_csv(path, rows, encoding if kind == "csv" else CSV_ENCODING_OF_XLSX_YEARS[on.year])
    return SnapshotWritten(name, records, path.stat().st_size)


def write_scaled_register(landing: Path, seed: int, scale: int, first: dt.date = FIRST_MONTH,
                          last: dt.date = LAST_MONTH,
                          progress: Callable[[str], None] | None = print) -> dict[str, int]:
    """Write the monthly register snapshots at `scale` into landing/registry; return records per file.

    `progress` gets one line per year (snapshots, records, MB, seconds)."""
    started = time.perf_counter()
    register = ScaledRegister(seed, scale)
    if progress:
        progress(f"register ×{scale}: {len(register.entries):,} records in the universe "
                 f"({time.perf_counter() - started:.1f} s)")
    folder = landing / REGISTRY.subfolder
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    dates = monthly_dates(first, last)
    for year in sorted({d.year for d in dates}):
        year_started = time.perf_counter()
        done = [write_snapshot(register, folder, on) for on in dates if on.year == year]
        written.update((s.name, s.records) for s in done)
        if progress:
            progress(f"{year}: {len(done)} snapshots, {sum(s.records for s in done):,} records, "
                     f"{sum(s.size for s in done) / 1e6:.1f} MB, {time.perf_counter() - year_started:.1f} s")
    return written
