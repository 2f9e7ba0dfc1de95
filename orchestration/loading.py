"""The pieces every ingestion source shares, once (docs/design.md#d14): the load-partitions template its asset runs,
the nothing-lost check, the Great Expectations check, the fingerprint its sensor compares and the sensor of a
file replaced whole. A source's module in
`orchestration/defs/` says only what is its own: how one partition is read, and what its metadata adds."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from expectations.runner import validate_frame
from ingestion.common import IngestionError
from ingestion.sources import WHOLE, WHOLE_KEY, RawTable, Source
from orchestration.resources import LandingFolder, Warehouse

# What loading one partition gives: its totals (rows_read, rows_loaded, rows_rejected, files: [file metadata], …;
# a list of them, one per raw table, for a source of several), its notes (warnings about the file) and what its
# observations add; or the IngestionError that stopped it.
Outcome = tuple[dict | list[dict], list[str], dict]
LoadOne = Callable[..., Outcome]  # (con, key, paths) -> Outcome
LoadMany = Callable[..., Iterable[tuple[str, list[Path], Outcome | Exception]]]  # (con, [(key, paths)])


def raw_key(table: str | RawTable) -> dg.AssetKey:
    return dg.AssetKey(["raw", table if isinstance(table, str) else table.name])


def one_by_one(load_one: LoadOne) -> LoadMany:
    """Partitions loaded in turn; a file that cannot be read fails its partition, the next one loads."""
    def load(con, jobs) -> Iterator:
        for key, paths in jobs:
            try:
                yield key, paths, load_one(con, key, paths)
            except IngestionError as exc:
                yield key, paths, exc
    return load


@dataclass
class Loaded:
    """What a run loaded of one source: a row per file, the failures, the warnings, the requested partitions that
    had no file, and the table's rows afterwards."""

    per_file: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rows_in_table: int = 0

    def sums(self) -> dict:
        return {c: sum(r[c] for r in self.per_file) for c in ("rows_read", "rows_loaded", "rows_rejected")}

    def warnings_md(self, limit: int | None = None) -> dg.MetadataValue:
        return dg.MetadataValue.md("\n".join(f"- {w}" for w in self.warnings[:limit]) or "none")

    def files_md(self, columns: dict[str, str]) -> dg.MetadataValue:
        """The per-file table: {field: heading}."""
        return dg.MetadataValue.md(
            "| " + " | ".join(columns.values()) + " |\n|" + "---|" * len(columns) + "\n" + "\n".join(
                "| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in self.per_file))

    def raise_failures(self, description: str, warning_limit: int | None = None, **kwargs) -> None:
        """The run fails, naming every file that could not be loaded; what could be loaded stays loaded."""
        if self.failures:
            raise dg.Failure(description=description.replace("{n}", str(len(self.failures))), metadata={
                "failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in self.failures)),
                "warnings": self.warnings_md(warning_limit)}, **kwargs)


def load_partitions(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingFolder,
                    source: Source, load: LoadMany, *, key_field: str, label: Callable[[str], str],
                    on_missing: Callable[[str], str | None] = lambda key: None,
                    suffix: Callable[[dict], str] = lambda totals: "",
                    count_always: bool = True) -> Loaded:
    """Load the files of the partitions the run requested, in key order, into the source's raw table(s): log
    `[i/n] <label>: <file> — N loaded, M rejected`, an observation per file (and table) on its partition, and
    mirror the changed partitions to the target. A requested partition without a file is `missing` (`on_missing`
    may log why, or return a failure); a file that cannot be read is a failure and the other partitions load."""
    files = landing.scan().of(source)
    keys = [WHOLE_KEY] if source.partition_kind == WHOLE else context.partition_keys
    done, jobs = Loaded(), []
    for key in keys:
        if files.get(key):
            jobs.append((key, files[key]))
            continue
        done.missing.append(key)
        if (failure := on_missing(key)) is not None:
            done.failures.append(failure)
    several = len(source.tables) > 1
    with warehouse.connect() as con:
        importlib.import_module(source.parser.split(":")[0]).ensure_tables(con)
        for i, (key, paths, outcome) in enumerate(load(con, jobs), start=1):
            if isinstance(outcome, Exception):
                done.failures.append(str(outcome))
                context.log.error(f"{label(key)}: {outcome}")
                continue
            per_table, notes, extra = outcome
            done.warnings += [f"{paths[0].name}: {n}" for n in notes]
            for table, totals in zip(source.tables, [per_table] if isinstance(per_table, dict) else per_table):
                file_info = totals.pop("files")[0]
                done.per_file.append({key_field: key, "file": paths[0].name, **({"table": table.name} if several
                                                                                  else {}), **totals,
                                      "file_info": file_info})
                context.log_event(dg.AssetObservation(
                    asset_key=raw_key(table), partition=None if source.partition_kind == WHOLE else key,
                    metadata={**file_info, key_field: key, **totals, **extra}))
                where = f"{paths[0].name} ({table.name})" if several else paths[0].name
                context.log.info(f"[{i}/{len(jobs)}] {label(key)}: {where} — {totals['rows_loaded']} loaded, "
                                 f"{totals['rows_rejected']} rejected{suffix(totals)}")
        if done.per_file or count_always:
            done.rows_in_table = con.execute(f"select count(*) from raw.{source.tables[0].name}").fetchone()[0]
        warehouse.mirror(con, list(source.audit_sources), log=context.log.info)  # to the postgres/spark target
    for w in done.warnings[:20]:
        context.log.warning(w)
    return done


def whole_file_asset(source: Source, load: Callable, *, label: str, description: str, code: str,
                     extra_metadata: Callable[[Warehouse], dict] | None = None) -> dg.AssetsDefinition:
    """The asset of a source whose one file is replaced whole (population, programme targets): `load(con, paths)`
    gives the parser's (totals, notes) and loading replaces the raw table. No file: a warning, the table left as it
    was; a file that cannot be read: the run fails with its error. `extra_metadata(warehouse)` adds figures read
    from the loaded table."""
    table = source.tables[0].name

    @dg.asset(key=raw_key(table), pool="warehouse", group_name=f"{source.area}_raw",
              kinds={"python", "duckdb"}, owners=["team:lvsocial-data"],
              retry_policy=dg.RetryPolicy(max_retries=1, delay=2), description=description,
              metadata={"code": dg.MetadataValue.url(code), "table": f"raw.{table}"})
    def _asset(context, warehouse: Warehouse, landing: LandingFolder) -> dg.MaterializeResult:
        # (`context` unannotated: with this module's postponed annotations Dagster would see a string)
        def missing(key: str) -> None:
            context.log.warning(f"no {source.subfolder}/{source.file_name(key)} in {landing.path}; raw.{table} "
                                "left as it was")

        done = load_partitions(context, warehouse, landing, source,
                               one_by_one(lambda con, key, paths: (*load(con, paths), {})),
                               key_field="partition", label=lambda key: label, on_missing=missing)
        if done.failures:  # one file: its error is the description
            raise dg.Failure(description="\n".join(done.failures))
        if not done.per_file:
            return dg.MaterializeResult(metadata={"rows_loaded": 0, "dagster/row_count": done.rows_in_table})
        (row,) = done.per_file
        totals = {k: row[k] for k in ("rows_read", "rows_loaded", "rows_rejected")}
        extra = extra_metadata(warehouse) if extra_metadata else {}
        return dg.MaterializeResult(metadata={**row["file_info"], **totals, **extra,
                                              "dagster/row_count": done.rows_in_table})

    return _asset


# --- the nothing-lost check ------------------------------------------------------------------------------------

def nothing_lost_problems(warehouse: Warehouse, table: RawTable, partition_column: str) -> tuple[int, list[str]]:
    """Files of one raw table whose rows read differ from rows loaded + rejected, or from what raw and
    audit.rejected_rows hold: (files checked, problems). One pass over raw and one over the rejected rows
    (grouped), not one scan per file; on the target."""
    rows = warehouse.rows(f"""
            with in_raw as (
                select _source_file as source_file, cast({partition_column} as varchar) as partition_key,
                       count(*) as n
                from raw.{table.name} group by 1, 2
            ),
            in_rejected as (
                select source_file, partition_key, count(*) as n
                from audit.rejected_rows where source = '{table.audit_source}' group by 1, 2
            )
            select l.source_file, l.rows_read, l.rows_loaded, l.rows_rejected, coalesce(r.n, 0) as in_raw,
                   coalesce(j.n, 0) as in_rejected
            from audit.load_log l
            left join in_raw r on r.source_file = l.source_file and r.partition_key = l.partition_key
            left join in_rejected j on j.source_file = l.source_file and j.partition_key = l.partition_key
            where l.source = '{table.audit_source}'
        """)
    return len(rows), [f"{f}: read {r}, loaded {lo}, rejected {rej}, in raw {raw}, in rejected_rows {jr}"
                       for f, r, lo, rej, raw, jr in rows if r != lo + rej or raw != lo or jr != rej]


def nothing_lost_check(source: Source, table: RawTable, description: str) -> dg.AssetChecksDefinition:
    """The blocking check `rows_read_equal_loaded_plus_rejected` on a raw table."""

    @dg.asset_check(asset=raw_key(table), name="rows_read_equal_loaded_plus_rejected", blocking=True,
                    description=description)
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        checked, problems = nothing_lost_problems(warehouse, table, source.partition_column)
        return dg.AssetCheckResult(passed=not problems,
                                   metadata={"files_checked": checked, "problems": "\n".join(problems[:20])})

    return _check


# --- the Great Expectations check ------------------------------------------------------------------------------

def gx_check(asset_key: dg.AssetKey, name: str, query: str, suite: str, expectations, description: str,
             blocking: bool = True) -> dg.AssetChecksDefinition:
    """A Great Expectations suite run on a query's rows read from the target, as an asset check; blocking (an
    error) or, when not, a warning."""
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN

    @dg.asset_check(asset=asset_key, name=name, blocking=blocking, description=description)
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        summary = validate_frame(warehouse.frame(query), suite, expectations)
        return dg.AssetCheckResult(passed=summary.success, metadata=summary.as_metadata(), severity=severity)

    return _check


# --- the sensors' fingerprint ----------------------------------------------------------------------------------

def fingerprint(paths: Iterable[Path]) -> str:
    """What a sensor compares to tell a file that appeared or changed: names, sizes and modification times."""
    return ";".join(f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in paths)


def whole_file_sensor(name: str, source: Source, asset_key: dg.AssetKey) -> dg.SensorDefinition:
    """A sensor requesting a run of the source's one file (a WHOLE source) and everything downstream when the file
    appears or changes."""
    path = f"{source.subfolder}/{source.file_name(WHOLE_KEY)}"

    @dg.sensor(name=name, minimum_interval_seconds=60, target=dg.AssetSelection.assets(asset_key).downstream(),
               description=f"Requests a run of the file and everything downstream when {path} appears or changes.")
    def _sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
        paths = landing.scan().of(source).get(WHOLE_KEY, [])
        current = fingerprint(paths)
        if not paths or current == context.cursor:
            return dg.SensorResult(run_requests=[], cursor=context.cursor)
        return dg.SensorResult(run_requests=[dg.RunRequest(run_key=current)], cursor=current)

    return _sensor
