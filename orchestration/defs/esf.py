"""The EU-funds sources in Dagster: the CFLA project lists partitioned by programming period (2014_2020,
2021_2027; both loaded in one run), the 2007–2013 APIA workbook as a source of its own (one partition, 2007_2013,
two raw tables from its two sheets), their Great Expectations checks and nothing-lost checks."""

import dagster as dg
from pydantic import Field

from expectations import esf as esf_suites
from expectations.runner import validate_frame
from ingestion import esf
from ingestion.common import IngestionError
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource

RAW_CFLA = dg.AssetKey(["raw", esf.TABLE_CFLA])
RAW_APIA_PROJECTS = dg.AssetKey(["raw", esf.TABLE_APIA_PROJECTS])
RAW_APIA_SERVICES = dg.AssetKey(["raw", esf.TABLE_APIA_SERVICES])
cfla_periods = dg.StaticPartitionsDefinition(list(esf.CFLA_PERIODS))
# The APIA workbook is one closed publication of one period: a partition of its own keeps the programming period
# as the partition key of every EU-funds raw table, without offering CFLA periods it has no file for.
apia_period = dg.StaticPartitionsDefinition([esf.APIA_PERIOD])
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/esf.py"
OWNERS = ["team:lvsocial-data"]


class CflaConfig(dg.Config):
    measures: list[str] = Field(
        default=list(esf.social_measures()),
        description="Measure codes kept from the CFLA lists (default: $LVSOCIAL_ESF_MEASURES, else the four "
                    "social-services measures); rows of other measures are counted in audit.filtered_rows.")


def _files_md(rows: list[dict], extra: tuple[str, ...] = ()) -> dg.MetadataValue:
    cols = ("partition", "file", "rows_read", "rows_loaded", "rows_rejected", *extra)
    return dg.MetadataValue.md("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n" + "\n".join(
        "| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows))


@dg.asset(
    key=RAW_CFLA,
    partitions_def=cfla_periods,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    group_name="esf_raw",
    kinds={"python", "duckdb"},
    owners=OWNERS,
    retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
    description=(
        "CFLA EU-funds project lists (2014–2020 and 2021–2027 column names mapped to one schema) loaded into "
        "`raw.esf_cfla_projects`: the social-services measures only, one row per project with its file, row and "
        "SHA-256. Rows of other measures are counted by measure in `audit.filtered_rows`; unreadable rows go to "
        "`audit.rejected_rows` with the reason; unknown columns are kept in `extra_fields`."
    ),
    metadata={"code": dg.MetadataValue.url(CODE), "table": f"raw.{esf.TABLE_CFLA}"},
)
def esf_cfla_projects(context: dg.AssetExecutionContext, config: CflaConfig, warehouse: Warehouse,
                      landing: LandingFolder) -> dg.MaterializeResult:
    measures = esf.social_measures(",".join(config.measures))
    files = landing.scan().files.get(esf.SOURCE_CFLA, {})
    per_file, failures, warnings = [], [], []
    filtered: dict[str, int] = {}
    with warehouse.connect() as con:
        for key in context.partition_keys:
            paths = files.get(key, [])
            if not paths:
                failures.append(f"{key}: no CFLA list for this period in {landing.path}")
                continue
            try:
                totals, notes, by_measure = esf.load_cfla_period(con, key, paths, measures)
            except IngestionError as exc:
                failures.append(str(exc))
                context.log.error(f"period {key}: {exc}")
                continue
            warnings += [f"{paths[0].name}: {n}" for n in notes]
            file_info = totals.pop("files")[0]
            for measure, n in by_measure.items():
                filtered[measure] = filtered.get(measure, 0) + n
            per_file.append({"partition": key, "file": paths[0].name, **totals})
            context.log_event(dg.AssetObservation(asset_key=RAW_CFLA, partition=key, metadata={
                **file_info, "programming_period": key, **totals,
                "filtered_by_measure": dg.MetadataValue.json(dict(sorted(by_measure.items())))}))
            context.log.info(f"period {key}: {paths[0].name} — {totals['rows_loaded']} loaded, "
                             f"{totals['rows_rejected']} rejected, {totals['rows_filtered']} of other measures "
                             f"left out")
        rows_in_table = con.execute(f"select count(*) from raw.{esf.TABLE_CFLA}").fetchone()[0] if per_file else 0
        warehouse.mirror(con, [esf.SOURCE_CFLA], log=context.log.info)  # to the postgres/spark target
    for w in warnings[:20]:
        context.log.warning(w)
    if failures:
        raise dg.Failure(
            description=f"{len(failures)} CFLA file(s) could not be loaded; the other periods were loaded",
            metadata={"failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures)),
                      "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in warnings) or "none")},
            allow_retries=False)
    return dg.MaterializeResult(metadata={
        "measures_kept": ", ".join(measures),
        "rows_read": sum(r["rows_read"] for r in per_file),
        "rows_loaded": sum(r["rows_loaded"] for r in per_file),
        "rows_rejected": sum(r["rows_rejected"] for r in per_file),
        "rows_filtered_out": sum(filtered.values()),
        "filtered_by_measure": dg.MetadataValue.md(
            "| measure | rows left out |\n|---|---|\n"
            + "\n".join(f"| {m} | {n} |" for m, n in sorted(filtered.items()))),
        "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in warnings) or "none"),
        "dagster/row_count": rows_in_table,
        "files": _files_md(per_file, ("rows_filtered", "rows_in_file")),
    })


def _apia_spec(key: dg.AssetKey, table: str, what: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key, group_name="esf_raw", kinds={"python", "duckdb"}, owners=OWNERS,
        description=(f"{what} of the 2007–2013 ESF activity 1.4.1.2.4 workbook (`apia_1_4_1_2_4.xlsx`) loaded into "
                     f"`raw.{table}` with file, sheet row and SHA-256; rejected rows go to `audit.rejected_rows` "
                     "with the reason. Amounts stay in LVL here; the marts convert them."),
        metadata={"code": dg.MetadataValue.url(CODE), "table": f"raw.{table}"})


@dg.multi_asset(
    name="esf_apia",
    specs=[_apia_spec(RAW_APIA_PROJECTS, esf.TABLE_APIA_PROJECTS, "Projects (sheet `Projekti`)"),
           _apia_spec(RAW_APIA_SERVICES, esf.TABLE_APIA_SERVICES, "Planned services (sheet `Pakalpojumi`)")],
    partitions_def=apia_period,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
)
def esf_apia(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingFolder):
    paths = [p for ps in landing.scan().files.get("esf_apia", {}).values() for p in ps]
    if not paths:
        raise dg.Failure(description=f"no APIA workbook in {landing.path}/esf", allow_retries=False)
    try:
        with warehouse.connect() as con:
            projects, services, warnings = esf.load_apia(con, paths)
            warehouse.mirror(con, [esf.SOURCE_APIA_PROJECTS, esf.SOURCE_APIA_SERVICES], log=context.log.info)
    except IngestionError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    for w in warnings[:20]:
        context.log.warning(f"{paths[0].name}: {w}")
    for key, totals in ((RAW_APIA_PROJECTS, projects), (RAW_APIA_SERVICES, services)):
        file_info = totals.pop("files")[0]
        context.log_event(dg.AssetObservation(asset_key=key, partition=esf.APIA_PERIOD,
                                              metadata={**file_info, "programming_period": esf.APIA_PERIOD, **totals}))
        yield dg.MaterializeResult(asset_key=key, metadata={
            **totals, "file": paths[0].name, "sha256": file_info["sha256"], "dagster/row_count": totals["rows_loaded"],
            "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in warnings) or "none")})


def _gx_check(asset_key: dg.AssetKey, suite: esf_suites.Suite, description: str):
    @dg.asset_check(asset=asset_key, name=f"gx_{suite.name}", blocking=True, description=description)
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        frame = warehouse.frame(suite.query)
        summary = validate_frame(frame, suite.name, suite.expectations)
        return dg.AssetCheckResult(passed=summary.success, metadata=summary.as_metadata(),
                                   severity=dg.AssetCheckSeverity.ERROR)

    return _check


def _nothing_lost_check(asset_key: dg.AssetKey, source: str, table: str):
    @dg.asset_check(asset=asset_key, name="rows_read_equal_loaded_plus_rejected", blocking=True,
                    description=f"Nothing lost: for every file, rows read = rows loaded + rows rejected, and "
                                f"raw.{table} holds exactly the loaded rows.")
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        bad = warehouse.rows(f"""
                select l.source_file, l.rows_read, l.rows_loaded, l.rows_rejected,
                       (select count(*) from raw.{table} r where r._source_file = l.source_file
                          and r.{esf.PARTITION_COLUMN} = l.partition_key) as in_raw,
                       (select count(*) from audit.rejected_rows j where j.source = l.source
                          and j.source_file = l.source_file and j.partition_key = l.partition_key) as in_rejected
                from audit.load_log l where l.source = '{source}'
            """)
        problems = [f"{f}: read {r}, loaded {lo}, rejected {rej}, in raw {raw}, in rejected_rows {jr}"
                    for f, r, lo, rej, raw, jr in bad if r != lo + rej or raw != lo or jr != rej]
        return dg.AssetCheckResult(passed=not problems, metadata={"files_checked": len(bad),
                                                                  "problems": "\n".join(problems[:20])})

    return _check


SOURCES = [
    IngestionSource("esf_cfla", [esf_cfla_projects], cfla_periods,
                    lambda landing: sorted(k for k in landing.files.get(esf.SOURCE_CFLA, {}) if k in esf.CFLA_PERIODS),
                    esf.ensure_tables),
    IngestionSource("esf_apia", [esf_apia], apia_period,
                    lambda landing: [esf.APIA_PERIOD] if landing.files.get("esf_apia") else [], esf.ensure_tables),
]
CHECKS = [
    _gx_check(RAW_CFLA, esf_suites.CFLA,
              "Great Expectations suite on the raw CFLA lists: project numbers and measure codes well formed and "
              "unique per period, amounts non-negative with EU co-financing within the total, dates in order."),
    _gx_check(RAW_APIA_PROJECTS, esf_suites.APIA_PROJECTS,
              "Great Expectations suite on the raw APIA projects: project numbers of the 1DP form and unique, "
              "rounds, municipality present, LVL amounts non-negative and consistent, dates in order."),
    _gx_check(RAW_APIA_SERVICES, esf_suites.APIA_SERVICES,
              "Great Expectations suite on the raw APIA planned services: each names a loaded project and a "
              "service, new/improved known, plausible planned clients."),
    _nothing_lost_check(RAW_CFLA, esf.SOURCE_CFLA, esf.TABLE_CFLA),
    _nothing_lost_check(RAW_APIA_PROJECTS, esf.SOURCE_APIA_PROJECTS, esf.TABLE_APIA_PROJECTS),
    _nothing_lost_check(RAW_APIA_SERVICES, esf.SOURCE_APIA_SERVICES, esf.TABLE_APIA_SERVICES),
]
SENSORS: list = []
