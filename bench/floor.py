"""The floor: lvsocial's work done by DuckDB alone, in one process and one DuckDB connection.

Two halves:

* `make_plan()` runs in the benchmark's own process, untimed. It lists the landing folder's files per source (with
  `ingestion.landing.scan`, the pipeline's own rules), takes the raw tables' DDL and header mappings from the
  `ingestion` modules (so the floor's raw tables have the pipeline's names, columns and types), and the compiled
  SQL of every seed and model from dbt's compiled manifest, models in dependency order.
* `python -m bench.floor PLAN DB RESULT` is the measured process. It imports DuckDB only (and openpyxl when the
  landing holds workbooks: DuckDB's excel extension is not installed offline), opens DB (named like the dbt
  target's file, because compiled SQL names its database) and executes: one `read_json_objects` / `read_csv` per
  source into its raw tables — rows the pipeline rejects are left out by the same rules written in SQL —, one
  `read_csv` per seed, then `create or replace view|table <schema>.<name> as <compiled SQL>` per model. It writes
  the time of each step and the row count of every table to RESULT.

What the floor leaves out on purpose: Dagster (runs, events, partitions), the audit tables, dbt tests, Great
Expectations, publishing, charts and dbt docs. Where Python still touches rows, it is only what DuckDB cannot do
offline: decoding Windows-1257 files (re-written as UTF-8 for `read_csv`) and reading .xlsx workbooks (re-written
as CSV). Known simplifications, which can make raw rows differ slightly from the pipeline's (the benchmark reports
the row-count differences): CSV rows are numbered by record (header + n), not by physical line; rows with a wrong
field count are skipped by `read_csv(ignore_errors=true)`; unknown JSON fields are not kept in `extra_fields`."""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
import time
from pathlib import Path

from ingestion.esf import _text as _esf_text  # the parsers' own cell-to-text rules for workbooks
from ingestion.registry import _text as _reg_text

# Years the budget sources take (orchestration/defs/budgets.py: FIRST_YEAR, LAST_YEAR).
BUDGET_YEARS = (2009, 2035)
SCHEMAS = ("raw", "reference", "staging", "intermediate", "marts", "reporting")


# --- the plan (benchmark process) -------------------------------------------------------------------------------

def _topological(nodes: dict[str, dict]) -> list[str]:
    """Node ids in dependency order (Kahn's algorithm; ties by name, so the order is stable)."""
    deps = {uid: {d for d in n.get("depends_on", {}).get("nodes", []) if d in nodes} for uid, n in nodes.items()}
    order, ready = [], sorted(uid for uid, d in deps.items() if not d)
    while ready:
        uid = ready.pop(0)
        order.append(uid)
        for other, d in deps.items():
            if uid in d:
                d.discard(uid)
                if not d and other not in order and other not in ready:
                    ready.append(other)
        ready.sort()
    missing = set(nodes) - set(order)
    if missing:
        raise RuntimeError(f"dependency cycle among dbt nodes: {', '.join(sorted(missing))}")
    return order


def dbt_nodes(manifest_path: Path) -> tuple[str, list[dict], list[dict]]:
    """(database, seeds, models in dependency order) of a compiled dbt manifest."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("seed", "model")}
    databases = {n["database"] for n in nodes.values()}
    if len(databases) != 1:
        raise RuntimeError(f"expected one database in {manifest_path}, found {sorted(databases)}")
    seeds, models = [], []
    repo = Path(__file__).resolve().parents[1]
    for uid in _topological(nodes):
        n = nodes[uid]
        if n["resource_type"] == "seed":
            path = repo / n["root_path"] / n["original_file_path"]  # a relative root_path is the repository's
            seeds.append({"name": n["alias"] or n["name"], "schema": n["schema"], "path": str(path),
                          "column_types": n["config"].get("column_types") or {}})
        else:
            code = n.get("compiled_code")
            if code is None:
                raise RuntimeError(f"{uid} has no compiled SQL in {manifest_path}: was it made by `dbt compile`?")
            materialized = n["config"]["materialized"]
            if materialized == "incremental":
                # Compiled against an empty warehouse, an incremental model's SQL is its full build: a table.
                materialized = "table"
            if materialized not in ("view", "table"):
                raise RuntimeError(f"{uid}: materialisation {materialized!r} is not supported by the floor")
            models.append({"name": n["alias"] or n["name"], "schema": n["schema"], "materialized": materialized,
                           "sql": code})
    return databases.pop(), seeds, models


def _gz_size(path: Path) -> int:
    """Uncompressed size of a file (a gzip file's trailer holds it modulo 4 GiB)."""
    if path.suffix != ".gz":
        return path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(-4, 2)
        return int.from_bytes(fh.read(4), "little")


def make_plan(landing: Path, manifest_path: Path) -> dict:
    """Everything the floor process needs, as JSON-ready data (see the module docstring)."""
    from ingestion import budgets, esf, population, registry
    from ingestion.landing import scan

    found = scan(Path(landing))
    snapshots = found.register_snapshots()
    json_files, legacy_files = [], []
    for key in sorted(snapshots):
        for path in snapshots[key]:
            entry = {"path": str(path), "name": path.name, "part": key}
            (json_files if registry.JSON_PATTERN.match(path.name) else legacy_files).append(entry)

    def files_of(source: str, keep=lambda key: True) -> list[dict]:
        return [{"path": str(p), "name": p.name, "part": key}
                for key, paths in sorted(found.files.get(source, {}).items()) if keep(key) for p in paths]

    database, seeds, models = dbt_nodes(manifest_path)
    biggest_json = max((_gz_size(Path(f["path"])) for f in json_files), default=0)
    return {
        "landing": str(landing),
        "database": database,
        "raw_ddl": [registry.DDL, *esf.DDL[:3], *(spec.ddl() for spec in budgets.FILES.values()), population.DDL],
        "registry": {
            "json_files": json_files, "legacy_files": legacy_files, "columns": registry.COLUMNS,
            "json_fields": registry.JSON_FIELDS, "legacy_fields": registry.LEGACY_FIELDS,
            "max_object_size": max(16 << 20, 2 * biggest_json),
        },
        "cfla": {"files": files_of(esf.SOURCE_CFLA, lambda k: k in esf.CFLA_PERIODS), "fields": esf.CFLA_FIELDS,
                 "columns": esf.CFLA_COLUMNS, "measures": list(esf.social_measures())},
        "apia": {"files": files_of("esf_apia"), "project_fields": esf.APIA_PROJECT_FIELDS,
                 "service_fields": esf.APIA_SERVICE_FIELDS, "project_columns": esf.APIA_PROJECT_COLUMNS,
                 "service_columns": esf.APIA_SERVICE_COLUMNS, "period": esf.APIA_PERIOD},
        "budgets": [
            {"source": spec.source, "table": spec.table, "header": spec.header, "labels": spec.labels,
             "required": list(spec.required), "amounts": list(spec.amounts), "counts": list(spec.counts),
             "key": list(spec.key), "has_currency": spec.has_currency, "columns": spec.columns,
             "files": files_of(spec.source, lambda k: BUDGET_YEARS[0] <= int(k) <= BUDGET_YEARS[1])}
            for spec in budgets.FILES.values()],
        "currencies": budgets.CURRENCIES, "euro_from_year": budgets.EURO_FROM_YEAR,
        "population": {"files": files_of("population"), "missing": list(population.MISSING)},
        "seeds": seeds,
        "models": models,
    }


# --- the floor process ------------------------------------------------------------------------------------------

MACROS = r"""
create or replace temp macro nb(x) as case when regexp_full_match(coalesce(x, ''), '\s*') then null else x end;
create or replace temp macro strip(x) as regexp_replace(x, '^[\s\x{00A0}]+|[\s\x{00A0}]+$', '', 'g');
create or replace temp macro blank(x) as x is null or strip(x) = '';
create or replace temp macro _lvc(s) as regexp_replace(s, '[\s\x{00A0}\x{202F}]+', '', 'g');
create or replace temp macro lv_num(s) as case
    when s is null or _lvc(s) in ('', '..', '-') then null
    when _lvc(s) like '%,%' and _lvc(s) like '%.%'
         and strpos(reverse(_lvc(s)), '.') < strpos(reverse(_lvc(s)), ',') then null
    when length(_lvc(s)) - length(replace(_lvc(s), ',', '')) > 1 then null
    when _lvc(s) like '%,%' then try_cast(replace(replace(_lvc(s), '.', ''), ',', '.') as double)
    else try_cast(_lvc(s) as double) end;
create or replace temp macro lv_num_bad(s) as s is not null and _lvc(s) not in ('', '..', '-') and lv_num(s) is null;
create or replace temp macro lv_date(s) as coalesce(
    cast(try_strptime(regexp_extract(s, '^\s*(\d{1,2}\.\d{1,2}\.\d{4})\.?\s*$', 1), '%d.%m.%Y') as date),
    try_cast(regexp_extract(s, '^\s*(\d{4}-\d{2}-\d{2})(?:[T ].*)?$', 1) as date));
create or replace temp macro lv_date_bad(s) as not blank(s) and lv_date(s) is null;
create or replace temp macro addr_parts(a) as list_filter(list_transform(string_split(a, ','), lambda p: strip(p)),
    lambda p: p <> '' and not regexp_full_match(p, 'LV[- ]?\d{4}', 'i'));
create or replace temp macro novads_parts(a) as list_filter(addr_parts(a),
    lambda p: regexp_matches(p, '\b(nov\.|novads)$', 'i'));
create or replace temp macro mun_from_addr(a) as case
    when a is null or a = '' then null
    when len(novads_parts(a)) > 0 then novads_parts(a)[-1]
    when len(addr_parts(a)) = 0 then null
    when len(addr_parts(a)) = 1 and regexp_matches(addr_parts(a)[1], '\d') then null
    else addr_parts(a)[-1] end;
"""


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value) -> str:
    """A SQL literal of a string, number, None or list."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(lit(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def _utf8(path: Path, scratch: Path) -> Path:
    """A path DuckDB's read_csv can take as UTF-8: the file itself (gzip is fine) when it is UTF-8, else a copy
    decoded line by line as UTF-8 or Windows-1257 (DuckDB has no Windows-1257 decoder offline)."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    try:
        data.decode("utf-8")
        return path
    except UnicodeDecodeError:
        pass
    lines = []
    for line in data.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1257", errors="replace"))
    out = scratch / path.name.removesuffix(".gz")
    out.write_text("".join(lines).removeprefix("\ufeff"), encoding="utf-8", newline="")
    return out


def _xlsx_sheets(path: Path) -> dict:
    """The sheets of a workbook as {folded title: [(sheet row number, [values])]} (openpyxl, values only)."""
    import io

    from openpyxl import load_workbook

    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {re.sub(r"\s+", " ", ws.title).strip().lower(): [(i, list(r)) for i, r in
                                                             enumerate(ws.iter_rows(values_only=True), start=1)]
                for ws in wb.worksheets}
    finally:
        wb.close()


def _xlsx_to_csv(rows: list, marker: str, text, out: Path) -> int | None:
    """Write a sheet from its header row (found by `marker` in the first five rows) as a `;` CSV with the values
    as the pipeline reads them (`text`); return the header's sheet row number, or None without a header."""
    at = next((k for k, (_, r) in enumerate(rows[:5])
               if any(re.sub(r"\s+", " ", str(v or "")).strip().lower() == marker for v in r)), None)
    if at is None:
        return None
    header = list(rows[at][1])
    while header and header[-1] is None:
        header.pop()
    width = len(header)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(["" if h is None else str(h) for h in header])
        for _, r in rows[at + 1:]:
            r = r[:width] + [None] * (width - len(r)) + [v for v in r[width:] if v is not None]
            writer.writerow(["" if (t := text(v)) is None else t for v in r])
    return rows[at][0]


class Floor:
    """Executes a plan on one DuckDB connection, timing each step."""

    def __init__(self, plan: dict, db_path: Path):
        import duckdb

        self.plan = plan
        self.db_path = Path(db_path)
        if self.db_path.stem != plan["database"]:
            raise ValueError(f"the floor database must be named {plan['database']}.duckdb (compiled SQL names "
                             f"database {plan['database']!r}), not {self.db_path.name}")
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.scratch = self.db_path.parent / "floor_scratch"
        self.scratch.mkdir(exist_ok=True)
        self.con = duckdb.connect(str(self.db_path))
        self.steps: list[dict] = []
        self.notes: list[str] = []

    def step(self, name: str, fn) -> None:
        start = time.perf_counter()
        fn()
        self.steps.append({"step": name, "seconds": round(time.perf_counter() - start, 4)})

    def sql(self, text: str) -> None:
        self.con.execute(text)

    # -- shared pieces --

    def _file_table(self, name: str, files: list[dict]) -> None:
        """A temp table of a source's files: path read, original name, partition, header line, SHA-256 (DuckDB
        hashes the files as stored, like the pipeline)."""
        self.sql(f"create or replace temp table {name} (path varchar, original varchar, source_file varchar, "
                 "part varchar, header_line integer)")
        if files:
            self.con.executemany(f"insert into {name} values (?, ?, ?, ?, ?)",
                                 [[f["read"], f["path"], f["name"], f["part"], f.get("header_line", 1)]
                                  for f in files])
        self.sql(f"""create or replace temp table {name} as
            select f.*, sha256(b.content) as sha256 from {name} f
            left join read_blob({lit([f['path'] for f in files] or [''])}) b on b.filename = f.original""")

    def _read_csv(self, name: str, files: list[dict], delim: str, skip: int = 0) -> list[str]:
        """One read_csv over a source's files into a temp table, in file order (rowid numbers the records)."""
        paths = lit([f["read"] for f in files])
        self.sql(f"""create or replace temp table {name} as select * from read_csv({paths}, delim={lit(delim)},
            header=true, all_varchar=true, union_by_name=true, filename=true, ignore_errors=true, quote='"',
            escape='"', skip={skip})""")
        return [r[0] for r in self.con.execute(f"describe {name}").fetchall()]

    @staticmethod
    def _row_number(table: str) -> str:
        return f"({table}.rowid - min({table}.rowid) over (partition by {table}.filename) + 1 + f.header_line)"

    # -- sources --

    def raw_tables(self) -> None:
        for schema in SCHEMAS:
            self.sql(f"create schema if not exists {schema}")
        for ddl in self.plan["raw_ddl"]:
            self.sql(ddl)

    def registry_json(self) -> None:
        spec = self.plan["registry"]
        files = [dict(f, read=f["path"]) for f in spec["json_files"]]
        if not files:
            return
        self._file_table("_reg_json_files", files)
        known = {**{k: "VARCHAR" for k in spec["json_fields"]},
                 "FaktiskaAdrese": "JSON", "KlientuGrupas": "JSON", "KontaktInformacija": "JSON"}
        # read_json_objects + from_json parses each file once into typed records (about ten times faster here
        # than read_json with a typed `data` column).
        structure = json.dumps({"data": [known]})
        fields = ", ".join(f"nb(rec.{q(k)}) as {col}" for k, col in spec["json_fields"].items())
        columns = spec["columns"]
        self.sql(f"""insert into raw.registry_provider_services by name
            with docs as (
                select filename, from_json(json, {lit(structure)}) as d
                from read_json_objects({lit([f['path'] for f in files])}, filename=true,
                                       maximum_object_size={int(spec['max_object_size'])})
            ),
            records as (
                select filename, unnest(d.data) as rec, unnest(range(1, len(d.data) + 1)) as i from docs
            ),
            recs as (
                select f.source_file, f.sha256, f.part, r.i as _source_row, r.rec
                from records r join _reg_json_files f on f.path = r.filename
                where r.rec is not null
            ),
            typed as (
                select source_file, sha256, part, _source_row, {fields},
                    case json_type(rec.FaktiskaAdrese) when 'OBJECT' then nb(rec.FaktiskaAdrese->>'Adrese')
                        when 'VARCHAR' then nb(rec.FaktiskaAdrese->>'$') end as address,
                    case json_type(rec.FaktiskaAdrese) when 'OBJECT' then nb(rec.FaktiskaAdrese->>'VZDKods')
                        end as address_code,
                    nullif(array_to_string(list_filter(list_transform(json_extract(rec.KlientuGrupas, '$[*]'),
                        lambda g: strip(case json_type(g) when 'OBJECT' then g->>'KlientuGrupasNosaukums'
                                   else g->>'$' end)), lambda n: n is not null), '; '), '') as client_groups,
                    case when json_type(rec.KontaktInformacija) = 'OBJECT'
                        then '{{' || array_to_string(list_transform(list_sort(json_keys(rec.KontaktInformacija)),
                            lambda k: to_json(k) || ': ' || cast(rec.KontaktInformacija -> k as varchar)), ', ') || '}}'
                        when json_type(rec.KontaktInformacija) <> 'NULL'
                        then cast(rec.KontaktInformacija as varchar) end as contact_info,
                    cast(null as varchar) as removed_on, cast(null as varchar) as extra_fields,
                    'json' as source_format
                from recs
            ),
            checked as (
                select *, mun_from_addr(address) as municipality_text from typed
                where not blank(register_number) and not blank(status) and not blank(service_name)
                  and not blank(address) and regexp_full_match(register_number, '\\s*\\d+\\s*')
                  and not lv_date_bad(registered_on)
            ),
            deduplicated as (
                select *, row_number() over (partition by source_file, {", ".join(columns)}
                                             order by _source_row) as _n
                from checked
            )
            select {", ".join(columns)}, source_file as _source_file, _source_row, sha256 as _file_sha256,
                   current_timestamp::timestamp as _loaded_at, cast(part as date) as _snapshot_date
            from deduplicated where _n = 1""")

    def registry_legacy(self) -> None:
        spec = self.plan["registry"]
        files = []
        for f in spec["legacy_files"]:
            path = Path(f["path"])
            if ".xlsx" in path.name:
                sheets = _xlsx_sheets(path)
                out = self.scratch / (path.name.split(".xlsx")[0] + ".xlsx.csv")
                header_line = _xlsx_to_csv(next(iter(sheets.values())), "reģ. nr.", _reg_text, out)
                if header_line is None:
                    self.notes.append(f"{path.name}: no header row with 'Reģ. Nr.': left out (the pipeline fails it)")
                    continue
                files.append(dict(f, read=str(out), header_line=header_line))
            else:
                files.append(dict(f, read=str(_utf8(path, self.scratch))))
        if not files:
            return
        self._file_table("_reg_legacy_files", files)
        names = self._read_csv("_reg_legacy", files, ";")
        mapping = {}
        for name in names:
            folded = re.sub(r"\s+", " ", name).strip().lower()
            if folded in spec["legacy_fields"]:
                mapping[spec["legacy_fields"][folded]] = name
        data_columns = [n for n in names if n != "filename"]
        extra = [n for n in data_columns if n not in mapping.values()]
        extra_sql = ("json_object(" + ", ".join(f"{lit(n)}, nb(t.{q(n)})" for n in extra) + ")") if extra else "null"
        columns = spec["columns"]
        select = ", ".join(f"nb(t.{q(mapping[c])}) as {c}" if c in mapping else f"cast(null as varchar) as {c}"
                           for c in columns if c not in ("extra_fields", "source_format"))
        all_empty = " and ".join(f"blank(t.{q(n)})" for n in data_columns)
        self.sql(f"""insert into raw.registry_provider_services by name
            with rows as (
                select f.source_file, f.sha256, f.part, {self._row_number('t')} as _source_row, {select},
                    {extra_sql} as extra_fields,
                    case when f.source_file like '%.xlsx%' then 'xlsx' else 'csv' end as source_format,
                    ({all_empty}) as _empty
                from _reg_legacy t join _reg_legacy_files f on f.path = t.filename
            ),
            placed as (
                select * replace (case when blank(municipality_text) then mun_from_addr(address)
                                       else municipality_text end as municipality_text)
                from rows where not _empty and not (blank(municipality_text) and blank(address))
            ),
            checked as (
                select * from placed
                where not blank(register_number) and not blank(status) and not blank(service_name)
                  and regexp_full_match(register_number, '\\s*\\d+\\s*')
                  and not lv_date_bad(registered_on) and not lv_date_bad(removed_on)
            ),
            deduplicated as (
                select *, row_number() over (partition by source_file, {", ".join(columns)}
                                             order by _source_row) as _n
                from checked
            )
            select {", ".join(columns)}, source_file as _source_file, _source_row, sha256 as _file_sha256,
                   current_timestamp::timestamp as _loaded_at, cast(part as date) as _snapshot_date
            from deduplicated where _n = 1""")

    def cfla(self) -> None:
        spec = self.plan["cfla"]
        files = [dict(f, read=str(_utf8(Path(f["path"]), self.scratch))) for f in spec["files"]]
        if not files:
            return
        self._file_table("_cfla_files", files)
        names = self._read_csv("_cfla", files, ",")
        by_lower = {n.lower(): n for n in names}
        mapped = {col: [by_lower[v.lower()] for v in variants if v.lower() in by_lower]
                  for col, variants in spec["fields"].items()}
        known = {n for ns in mapped.values() for n in ns} | {"filename"}
        extra = [n for n in names if n not in known]
        exprs = []
        for col, present in mapped.items():
            value = ("coalesce(" + ", ".join(f"t.{q(n)}" for n in present) + ")") if present else "null"
            exprs.append(f"nb(strip({value})) as {col}")
        extra_sql = ("json_object(" + ", ".join(f"{lit(n)}, t.{q(n)}" for n in extra) + ")") if extra else "null"
        all_empty = " and ".join(f"blank(t.{q(n)})" for n in names if n != "filename")
        number = r"^(\d+(?:\.\d+){1,4})(?:/\d+)?/(\d{2})/([A-Z]{1,2})/(\d{1,4})$"
        self.sql(f"""insert into raw.esf_cfla_projects by name
            with rows as (
                select f.source_file, f.sha256, f.part, {self._row_number('t')} as _source_row,
                    {", ".join(exprs)}, {extra_sql} as extra_fields, ({all_empty}) as _empty
                from _cfla t join _cfla_files f on f.path = t.filename
            ),
            numbered as (
                select *, strip(split_part(project_number, '/', 1)) as measure_code,
                    regexp_extract(project_number, {lit(number)}, ['measure', 'call', 'selection', 'serial']) as p
                from rows where not _empty and project_number is not null
            ),
            kept as (
                select * from numbered
                where regexp_full_match(measure_code, '\\d+(\\.\\d+){{1,4}}')
                  and measure_code in (select unnest({lit(spec['measures'])}))
                  and not lv_num_bad(total_cost) and not lv_num_bad(eu_funding)
                  and coalesce(lv_num(total_cost), 0) >= 0 and coalesce(lv_num(eu_funding), 0) >= 0
                  and not lv_date_bad(start_date) and not lv_date_bad(end_date)
                  and title is not null and beneficiary_name is not null
            ),
            deduplicated as (
                select *, row_number() over (partition by source_file, project_number order by _source_row) as _n
                from kept
            )
            select project_number, measure_code,
                case when p.call <> '' then 2000 + cast(p.call as integer) end as call_year,
                nullif(p.selection, '') as selection_code, nullif(p.serial, '') as serial,
                title, status, fund, cast(lv_num(total_cost) as decimal(18, 2)) as total_cost,
                cast(lv_num(eu_funding) as decimal(18, 2)) as eu_funding, lv_date(start_date) as start_date,
                lv_date(end_date) as end_date, target_group, beneficiary_name, beneficiary_reg_no, extra_fields,
                source_file as _source_file, _source_row, sha256 as _file_sha256,
                current_timestamp::timestamp as _loaded_at, part as _programming_period
            from deduplicated where _n = 1""")

    def apia(self) -> None:
        spec = self.plan["apia"]
        if not spec["files"]:
            return
        if len(spec["files"]) > 1:
            self.notes.append("several APIA workbooks: the floor reads the first (the pipeline fails the source)")
        f = spec["files"][0]
        path = Path(f["path"])
        sheets = _xlsx_sheets(path)
        outs = {}
        for sheet in ("projekti", "pakalpojumi"):
            out = self.scratch / f"apia_{sheet}.csv"
            header_line = _xlsx_to_csv(sheets.get(sheet, []), "projekta nr.", _esf_text, out)
            if header_line is None:
                self.notes.append(f"{path.name}: no sheet {sheet!r} with a 'Projekta Nr.' header: APIA left out")
                return
            outs[sheet] = dict(f, read=str(out), header_line=header_line)
        self._file_table("_apia_p_files", [outs["projekti"]])
        self._file_table("_apia_s_files", [outs["pakalpojumi"]])
        p_names = self._read_csv("_apia_p", [outs["projekti"]], ";")
        s_names = self._read_csv("_apia_s", [outs["pakalpojumi"]], ";")

        def fold(name: str) -> str:
            return re.sub(r"\s+", " ", name).strip().lower()

        p_map, currency = {}, "EUR"
        for name in p_names:
            key = fold(name)
            if key in spec["project_fields"]:
                p_map[spec["project_fields"][key]] = name
            for pattern, col in ((r"^kopējās izmaksas(?:,\s*(lvl|eur))?$", "total_cost"),
                                 (r"^esf finansējums(?:,\s*(lvl|eur))?$", "eu_funding")):
                if m := re.match(pattern, key):
                    p_map[col] = name
                    currency = (m.group(1) or "eur").upper()
        s_map = {spec["service_fields"][fold(n)]: n for n in s_names if fold(n) in spec["service_fields"]}

        def col(mapping, c):
            return f"nb(strip(t.{q(mapping[c])}))" if c in mapping else "cast(null as varchar)"

        def extra_of(names, mapping):
            extra = [n for n in names if n != "filename" and n not in mapping.values()]
            return ("json_object(" + ", ".join(f"{lit(n)}, t.{q(n)}" for n in extra) + ")") if extra else "null"

        p_cols = ["project_number", "title", "beneficiary_name", "beneficiary_reg_no", "municipality_text", "round",
                  "status", "start_date", "end_date", "total_cost", "eu_funding"]
        p_empty = " and ".join(f"blank(t.{q(n)})" for n in p_names if n != "filename")
        number = (r"^([0-9A-Z]+)/(\d+(?:\.\d+)+)/(\d{2})/(APIA|IPIA)/([A-ZĀČĒĢĪĶĻŅŠŪŽ]+)/(\d{1,4})$")
        self.sql(f"""insert into raw.esf_apia_projects by name
            with rows as (
                select f.source_file, f.sha256, {self._row_number('t')} as _source_row,
                    {", ".join(f"{col(p_map, c)} as {c}" for c in p_cols)},
                    {extra_of(p_names, p_map)} as extra_fields, ({p_empty}) as _empty
                from _apia_p t join _apia_p_files f on f.path = t.filename
            ),
            typed as (
                select *, regexp_extract(project_number, {lit(number)},
                    ['programme', 'activity', 'call', 'selection', 'agency', 'serial']) as p
                from rows
                where not _empty and project_number is not null and beneficiary_name is not null
                  and municipality_text is not null and round is not null and start_date is not null
                  and total_cost is not null and eu_funding is not null
            ),
            kept as (
                select * from typed
                where p.programme <> '' and lv_num(round) is not null and lv_num(round) = floor(lv_num(round))
                  and not lv_date_bad(start_date) and not lv_date_bad(end_date)
                  and not lv_num_bad(total_cost) and not lv_num_bad(eu_funding)
                  and coalesce(lv_num(total_cost), 0) >= 0 and coalesce(lv_num(eu_funding), 0) >= 0
            ),
            deduplicated as (
                select *, row_number() over (partition by project_number order by _source_row) as _n from kept
            )
            select project_number, p.programme as programme, p.activity as activity_code,
                2000 + cast(p.call as integer) as call_year, p.selection as selection_code, p.agency as agency,
                p.serial as serial, title, beneficiary_name, beneficiary_reg_no, municipality_text,
                cast(lv_num(round) as integer) as round, status, lv_date(start_date) as start_date,
                lv_date(end_date) as end_date, {lit(currency)} as currency,
                cast(lv_num(total_cost) as decimal(18, 2)) as total_cost,
                cast(lv_num(eu_funding) as decimal(18, 2)) as eu_funding, extra_fields,
                source_file as _source_file, _source_row, sha256 as _file_sha256,
                current_timestamp::timestamp as _loaded_at, {lit(spec['period'])} as _programming_period
            from deduplicated where _n = 1""")

        s_cols = ["project_number", "service_name", "novelty_as_written", "innovative_as_written", "method",
                  "target_group", "planned_clients"]
        s_empty = " and ".join(f"blank(t.{q(n)})" for n in s_names if n != "filename")
        service_columns = spec["service_columns"]
        self.sql(f"""insert into raw.esf_apia_planned_services by name
            with rows as (
                select f.source_file, f.sha256, {self._row_number('t')} as _source_row,
                    {", ".join(f"{col(s_map, c)} as {c}" for c in s_cols)},
                    {extra_of(s_names, s_map)} as extra_fields, ({s_empty}) as _empty
                from _apia_s t join _apia_s_files f on f.path = t.filename
            ),
            typed as (
                select * replace (cast(lv_num(planned_clients) as integer) as planned_clients),
                    case lower(novelty_as_written) when 'jauns' then 'new' when 'pilnveidots' then 'improved'
                        end as novelty,
                    case lower(innovative_as_written) when 'jā' then true when 'ja' then true when 'nē' then false
                        when 'ne' then false end as is_innovative
                from rows
                where not _empty and project_number is not null and service_name is not null
                  and novelty_as_written is not null
                  and project_number in (select project_number from raw.esf_apia_projects)
                  and lower(novelty_as_written) in ('jauns', 'pilnveidots')
                  and (innovative_as_written is null or lower(innovative_as_written) in ('jā', 'ja', 'nē', 'ne'))
                  and not lv_num_bad(planned_clients)
                  and (lv_num(planned_clients) is null or lv_num(planned_clients) = floor(lv_num(planned_clients)))
            ),
            deduplicated as (
                select *, row_number() over (partition by {", ".join(service_columns)} order by _source_row) as _n
                from typed
            )
            select {", ".join(service_columns)}, source_file as _source_file, _source_row, sha256 as _file_sha256,
                current_timestamp::timestamp as _loaded_at, {lit(spec['period'])} as _programming_period
            from deduplicated where _n = 1""")

    def budgets(self) -> None:
        fold_table = str.maketrans("āčēģīķļņšūž", "acegiklnsuz")

        def fold(text: str) -> str:
            return re.sub(r"\s+", " ", str(text or "").replace("\ufeff", "")).strip().lower().translate(fold_table)

        currencies = self.plan["currencies"]
        currency_case = "case lower(strip(currency)) " + " ".join(
            f"when {lit(k)} then {lit(v)}" for k, v in currencies.items()) + " end"
        for spec in self.plan["budgets"]:
            files = [dict(f, read=str(_utf8(Path(f["path"]), self.scratch))) for f in spec["files"]]
            if not files:
                continue
            tmp = f"_b_{spec['table']}"
            self._file_table(f"{tmp}_files", files)
            names = self._read_csv(tmp, files, ";")
            mapping = {spec["header"][fold(n)]: n for n in names if fold(n) in spec["header"]}
            header_cols = list(spec["header"].values())
            data_names = [n for n in names if n != "filename"]
            extra = [n for n in data_names if n not in mapping.values()]
            extra_sql = ("json_object(" + ", ".join(f"{lit(n)}, t.{q(n)}" for n in extra) + ")") if extra \
                else "null"
            select = ", ".join(f"nb(t.{q(mapping[c])}) as {c}" if c in mapping else f"cast(null as varchar) as {c}"
                               for c in header_cols)
            all_empty = " and ".join(f"blank(t.{q(n)})" for n in data_names)
            conditions = [f"not blank({c})" for c in spec["required"]]
            conditions += ["strip(year) = part", "regexp_full_match(strip(atvk_code), '\\d{1,7}')",
                           "lpad(strip(atvk_code), 7, '0') in (select atvk_code from reference.municipalities)"]
            if "function_code" in header_cols:
                conditions.append("regexp_full_match(strip(function_code), '\\d{2}\\.\\d{3}')")
            for c in spec["amounts"]:
                conditions.append(f"not lv_num_bad({c}) and coalesce(lv_num({c}), 0) >= 0")
            for c in spec["counts"]:
                conditions.append(f"not lv_num_bad({c}) and coalesce(lv_num({c}), 0) >= 0 "
                                  f"and coalesce(lv_num({c}) = floor(lv_num({c})), true)")
            if spec["table"] == "social_service_statistics":
                conditions.append("not (lv_num(clients) is null and lv_num(expenditure) is null)")
            currency_cols = []
            if spec["has_currency"]:
                no_amount = " and ".join(f"lv_num({c}) is null" for c in spec["amounts"])
                conditions.append(f"((blank(currency) and {no_amount}) or "
                                  f"({currency_case}) = case when cast(part as integer) < {self.plan['euro_from_year']}"
                                  " then 'LVL' else 'EUR' end)")
                currency_cols = [f"case when blank(currency) then null else {currency_case} end as currency_code"]
            parsed = [f"cast(round(lv_num({c}), 2) as decimal(18, 2)) as {c}_amount" for c in spec["amounts"]]
            parsed += [f"cast(lv_num({c}) as integer) as {c}_count" for c in spec["counts"]]
            keys = ", ".join(f"strip({c})" if c != "atvk_code" else "lpad(strip(atvk_code), 7, '0')"
                             for c in spec["key"])
            outputs = ["lpad(strip(atvk_code), 7, '0') as atvk_code" if c == "atvk_code"
                       else "strip(function_code) as function_code" if c == "function_code" else c
                       for c in header_cols]
            self.sql(f"""insert into raw.{spec['table']} by name
                with rows as (
                    select f.source_file, f.sha256, f.part, {self._row_number('t')} as _source_row, {select},
                        {extra_sql} as extra_fields, ({all_empty}) as _empty
                    from {tmp} t join {tmp}_files f on f.path = t.filename
                ),
                kept as (select * from rows where not _empty and {" and ".join(conditions)}),
                deduplicated as (
                    select *, row_number() over (partition by source_file, {keys} order by _source_row) as _n
                    from kept
                )
                select {", ".join(outputs + currency_cols + parsed)}, extra_fields,
                    source_file as _source_file, _source_row, sha256 as _file_sha256,
                    current_timestamp::timestamp as _loaded_at, cast(part as integer) as _year
                from deduplicated where _n = 1""")

    def population(self) -> None:
        spec = self.plan["population"]
        if not spec["files"]:
            return
        f = spec["files"][0]
        read = _utf8(Path(f["path"]), self.scratch)
        # A title may stand above the header: find the header row (years in every cell but the first).
        opener = gzip.open if read.suffix == ".gz" else open
        with opener(read, "rt", encoding="utf-8-sig", newline="") as fh:
            head = [r for _, r in zip(range(10), csv.reader(fh, delimiter=";"))]
        at = next((k for k, r in enumerate(head) if len(r) > 1 and all(re.search(r"\b(19|20)\d{2}\b", c)
                                                                      for c in r[1:] if c.strip())), 0)
        files = [dict(f, read=str(read), header_line=at + 1)]
        self._file_table("_pop_files", files)
        names = self._read_csv("_pop", files, ";", skip=at)
        label = names[0]
        years = {n: int(m.group(1)) for n in names[1:] if (m := re.search(r"\b((?:19|20)\d{2})\b", n))}
        coded = r"^LV\s?(\d{7})\s+(\S.*)$"
        until = r"^(\S.*?)\s*\(\s*līdz\s+(\d{1,2}\.\d{1,2}\.\d{4})\.?\s*\)$"
        cells = ", ".join(f"t.{q(n)} as {q(str(y))}" for n, y in years.items())
        missing = lit(spec["missing"])
        self.sql(f"""insert into raw.population by name
            with lines as (
                select f.source_file, f.sha256, {self._row_number('t')} as _source_row,
                    t.{q(label)} as area_label_raw, strip(regexp_replace(t.{q(label)}, '\\s+', ' ', 'g')) as lbl,
                    {cells}
                from _pop t join _pop_files f on f.path = t.filename
            ),
            areas as (
                select *,
                    case when regexp_full_match(lbl, {lit(coded)}, 'i')
                         then regexp_extract(lbl, {lit(coded)}, 1, 'i') end as atvk_code,
                    case when regexp_full_match(lbl, {lit(coded)}, 'i')
                         then strip(regexp_extract(lbl, {lit(coded)}, 2, 'i'))
                         when regexp_full_match(lbl, {lit(until)}, 'i')
                         then strip(regexp_extract(lbl, {lit(until)}, 1, 'i')) end as area_name,
                    case when not regexp_full_match(lbl, {lit(coded)}, 'i')
                              and regexp_full_match(lbl, {lit(until)}, 'i')
                         then lv_date(regexp_extract(lbl, {lit(until)}, 2, 'i')) end as valid_until
                from lines where lbl is not null and lbl <> ''
            ),
            good_areas as (
                select *, row_number() over (partition by atvk_code, lower(area_name), valid_until
                                             order by _source_row) as _n
                from areas
                where area_name is not null
                  and (atvk_code is null or atvk_code in (select atvk_code from reference.municipalities))
            ),
            cells as (
                select * from (select * exclude (_n, lbl) from good_areas where _n = 1)
                unpivot include nulls (written for year in ({", ".join(q(str(y)) for y in years.values())}))
            )
            select strip(area_label_raw) as area_label, atvk_code, area_name, valid_until,
                cast(year as integer) as year, written as population_as_written,
                cast(case when strip(coalesce(written, '')) in (select unnest({missing})) then null
                          else lv_num(written) end as integer) as population,
                source_file as _source_file, _source_row, sha256 as _file_sha256,
                current_timestamp::timestamp as _loaded_at, 'all' as _partition
            from cells
            where strip(coalesce(written, '')) in (select unnest({missing}))
               or (not lv_num_bad(written)
                   and coalesce(lv_num(written) >= 0 and lv_num(written) = floor(lv_num(written)), true))""")

    # -- dbt --

    def seeds(self) -> None:
        db = q(self.plan["database"])
        for seed in self.plan["seeds"]:
            types = ("{" + ", ".join(f"{lit(c)}: {lit(t)}" for c, t in seed["column_types"].items()) + "}") \
                if seed["column_types"] else None
            options = f", types={types}" if types else ""
            self.sql(f"create schema if not exists {db}.{q(seed['schema'])}")
            self.sql(f"""create or replace table {db}.{q(seed['schema'])}.{q(seed['name'])} as
                select * from read_csv({lit(seed['path'])}, header=true, sample_size=-1{options})""")

    def models(self) -> None:
        db = q(self.plan["database"])
        for model in self.plan["models"]:
            self.sql(f"create schema if not exists {db}.{q(model['schema'])}")
            kind = "view" if model["materialized"] == "view" else "table"
            self.sql(f"create or replace {kind} {db}.{q(model['schema'])}.{q(model['name'])} as (\n"
                     f"{model['sql']}\n)")

    def run(self) -> dict:
        started = time.perf_counter()
        self.step("macros and raw tables", lambda: (self.con.execute(MACROS), self.raw_tables()))
        self.step("seeds (read_csv)", self.seeds)
        self.step("raw: register JSON (read_json_objects)", self.registry_json)
        self.step("raw: register legacy CSV/XLSX (read_csv)", self.registry_legacy)
        self.step("raw: EU funds CFLA (read_csv)", self.cfla)
        self.step("raw: EU funds APIA (xlsx)", self.apia)
        self.step("raw: budgets, statistics, staffing (read_csv)", self.budgets)
        self.step("raw: population (read_csv, unpivot)", self.population)
        self.step("dbt models (compiled SQL)", self.models)
        self.con.execute("checkpoint")
        work = time.perf_counter() - started
        counts = {}
        for schema, name, kind in self.con.execute(
                "select table_schema, table_name, table_type from information_schema.tables "
                "where table_catalog = current_database() and table_schema in "
                f"({', '.join(lit(s) for s in SCHEMAS)}) order by 1, 2").fetchall():
            if kind == "BASE TABLE":
                sql = f"select count(*) from {q(schema)}.{q(name)}"
                counts[f"{schema}.{name}"] = self.con.execute(sql).fetchone()[0]
        self.con.close()
        return {"work_seconds": round(work, 4), "steps": self.steps, "row_counts": counts, "notes": self.notes,
                "xlsx_reader": "openpyxl (DuckDB's excel extension is not installed offline)"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        print("usage: python -m bench.floor PLAN.json DB.duckdb RESULT.json", file=sys.stderr)
        return 2
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = Floor(plan, Path(argv[1])).run()
    Path(argv[2]).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
