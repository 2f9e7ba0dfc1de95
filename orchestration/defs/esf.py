"""The EU-funds sources in Dagster: the CFLA project lists partitioned by programming period (2014_2020,
2021_2027; both loaded in one run), the 2007–2013 APIA workbook as a source of its own (one partition, 2007_2013,
two raw tables from its two sheets), their Great Expectations checks and nothing-lost checks."""

import dagster as dg
from pydantic import Field

from expectations import esf as esf_suites
from ingestion import esf
from ingestion.sources import ESF_APIA, ESF_CFLA
from orchestration.loading import gx_check, load_partitions, nothing_lost_check, one_by_one, raw_key
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource, partitions_def

RAW_CFLA = raw_key(ESF_CFLA.tables[0])
RAW_APIA_PROJECTS, RAW_APIA_SERVICES = (raw_key(t) for t in ESF_APIA.tables)
cfla_periods = partitions_def(ESF_CFLA)
# The APIA workbook is one closed publication of one period: a partition of its own keeps the programming period
# as the partition key of every EU-funds raw table, without offering CFLA periods it has no file for.
apia_period = partitions_def(ESF_APIA)
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/esf.py"
OWNERS = ["team:lvsocial-data"]
GROUP = f"{ESF_CFLA.area}_raw"


class CflaConfig(dg.Config):
    measures: list[str] = Field(
        default=list(esf.social_measures()),
        description="Measure codes kept from the CFLA lists (default: $LVSOCIAL_ESF_MEASURES, else the four "
                    "social-services measures); rows of other measures are counted in audit.filtered_rows.")


@dg.asset(
    key=RAW_CFLA,
    partitions_def=cfla_periods,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    group_name=GROUP,
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
    filtered: dict[str, int] = {}

    def load_one(con, key, paths):
        totals, notes, by_measure = esf.load_cfla_period(con, key, paths, measures)
        for measure, n in by_measure.items():
            filtered[measure] = filtered.get(measure, 0) + n
        return totals, notes, {"filtered_by_measure": dg.MetadataValue.json(dict(sorted(by_measure.items())))}

    done = load_partitions(
        context, warehouse, landing, ESF_CFLA, one_by_one(load_one), key_field="programming_period",
        label=lambda key: f"period {key}", count_always=False,
        on_missing=lambda key: f"{key}: no CFLA list for this period in {landing.path}",
        suffix=lambda totals: f", {totals['rows_filtered']} of other measures left out")
    done.raise_failures("{n} CFLA file(s) could not be loaded; the other periods were loaded", allow_retries=False)
    return dg.MaterializeResult(metadata={
        "measures_kept": ", ".join(measures),
        **done.sums(),
        "rows_filtered_out": sum(filtered.values()),
        "filtered_by_measure": dg.MetadataValue.md(
            "| measure | rows left out |\n|---|---|\n"
            + "\n".join(f"| {m} | {n} |" for m, n in sorted(filtered.items()))),
        "warnings": done.warnings_md(),
        "dagster/row_count": done.rows_in_table,
        "files": done.files_md({"programming_period": "partition", "file": "file", "rows_read": "rows_read",
                                "rows_loaded": "rows_loaded", "rows_rejected": "rows_rejected",
                                "rows_filtered": "rows_filtered", "rows_in_file": "rows_in_file"}),
    })


def _apia_spec(key: dg.AssetKey, table: str, what: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key, group_name=GROUP, kinds={"python", "duckdb"}, owners=OWNERS,
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
    def load_one(con, key, paths):
        projects, services, notes = esf.load_apia(con, paths)
        return [projects, services], notes, {}

    done = load_partitions(context, warehouse, landing, ESF_APIA, one_by_one(load_one), key_field="programming_period",
                           label=lambda key: f"APIA {key}",
                           on_missing=lambda key: f"no APIA workbook in {landing.path}/{ESF_APIA.subfolder}")
    if done.failures:  # one file, one partition: its error is the description
        raise dg.Failure(description="\n".join(done.failures), allow_retries=False)
    for row in done.per_file:
        yield dg.MaterializeResult(asset_key=raw_key(row["table"]), metadata={
            "rows_read": row["rows_read"], "rows_loaded": row["rows_loaded"], "rows_rejected": row["rows_rejected"],
            "file": row["file"], "sha256": row["file_info"]["sha256"], "dagster/row_count": row["rows_loaded"],
            "warnings": done.warnings_md()})


SOURCES = [IngestionSource(ESF_CFLA.job, [esf_cfla_projects]), IngestionSource(ESF_APIA.job, [esf_apia])]
_GX = (
    (RAW_CFLA, esf_suites.CFLA,
     "Great Expectations suite on the raw CFLA lists: project numbers and measure codes well formed and unique per "
     "period, amounts non-negative with EU co-financing within the total, dates in order."),
    (RAW_APIA_PROJECTS, esf_suites.APIA_PROJECTS,
     "Great Expectations suite on the raw APIA projects: project numbers of the 1DP form and unique, rounds, "
     "municipality present, LVL amounts non-negative and consistent, dates in order."),
    (RAW_APIA_SERVICES, esf_suites.APIA_SERVICES,
     "Great Expectations suite on the raw APIA planned services: each names a loaded project and a service, "
     "new/improved known, plausible planned clients."),
)
CHECKS = [gx_check(key, f"gx_{suite.name}", suite.query, suite.name, suite.expectations, description)
          for key, suite, description in _GX] + [
    nothing_lost_check(source, table, f"Nothing lost: for every file, rows read = rows loaded + rows rejected, and "
                                      f"raw.{table.name} holds exactly the loaded rows.")
    for source in (ESF_CFLA, ESF_APIA) for table in source.tables]
SENSORS: list = []
