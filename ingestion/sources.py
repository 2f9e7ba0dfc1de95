"""One declaration per source (docs/design.md#d14): its name, where its files land and how they are named, the raw
tables it loads, how it is partitioned and which function parses it. Everything that needs to know a source reads
it here: the landing scan (`ingestion.landing`), the readers (`ingestion.<source>` take their table names and
partition columns from here), the Dagster definitions (`orchestration.sources`, `orchestration/defs/`), the
benchmark floor and the sample generator. There is no other list of sources or file-name patterns.

The name is the one vocabulary: the key of `Landing.files`, the `source` of the audit rows of its table (a source
of several tables, the APIA workbook, declares each table's audit source; they are the values already in the
warehouses), and the Dagster job `ingest_<job>` (the four yearly municipal files share the job `ingest_budgets`
and one partition per year)."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

# Kinds of partition: a register snapshot's date (dynamic partitions, one per file that lands), a year (static
# range), a static list of keys (programming periods), or one whole file replaced as a whole (key "all").
SNAPSHOT_DATE, YEAR, STATIC, WHOLE = "snapshot_date", "year", "static", "whole"
WHOLE_KEY = "all"
FIRST_YEAR, LAST_YEAR = 2009, 2035  # the yearly files' partitions; the municipality map starts on 1 July 2009


@dataclass(frozen=True)
class RawTable:
    name: str  # raw.<name>
    audit_source: str  # the `source` of its files in audit.load_log and audit.rejected_rows


@dataclass(frozen=True)
class Source:
    name: str
    area: str  # the domain: asset group `<area>_raw`, the folders `staging/<area>` …
    job: str  # the Dagster ingestion job `ingest_<job>` that loads it
    subfolder: str  # of the landing folder
    patterns: tuple[re.Pattern, ...]  # a file of the source; the partition in group 1 (a snapshot date: groups
    #                                  1–3; no group: the source's one partition)
    file_names: tuple[str, ...]  # how the file of a partition is named (`{key}`, `{ext}`), for writers of landings
    tables: tuple[RawTable, ...]
    partition_column: str
    partition_kind: str  # SNAPSHOT_DATE, YEAR, STATIC or WHOLE
    partitions: tuple[str, ...]  # the keys of a YEAR or STATIC source (empty for the others)
    parser: str  # "module:function", the entry point that reads one file
    near_miss: re.Pattern | None = None  # a name like the source's whose partition is not valid (reported)
    partitions_name: str = ""  # the Dagster name of dynamic partitions (SNAPSHOT_DATE)

    @property
    def table(self) -> str:
        """The raw table of a single-table source."""
        if len(self.tables) != 1:
            raise ValueError(f"source {self.name} has {len(self.tables)} raw tables")
        return self.tables[0].name

    @property
    def audit_sources(self) -> tuple[str, ...]:
        return tuple(t.audit_source for t in self.tables)

    def partition_of(self, file_name: str) -> str | None:
        """The partition key a file of this name belongs to, or None when the name is not one of the source's."""
        for pattern in self.patterns:
            m = pattern.match(file_name)
            if not m:
                continue
            if self.partition_kind == SNAPSHOT_DATE:
                try:
                    return dt.date(*(int(g) for g in m.groups()[:3])).isoformat()
                except ValueError:
                    return None
            if self.partition_kind == WHOLE:
                return WHOLE_KEY
            key = m.group(1) if pattern.groups else self.partitions[0]  # one partition, not in the name
            return key if key in self.partitions else None
        return None

    def file_name(self, key: str | dt.date, variant: int = 0, **fields) -> str:
        """The name of the file of partition `key` (a date for register snapshots), in the `variant`-th form."""
        return self.file_names[variant].format(key=key, **fields)

    def path(self, landing: Path, key: str | dt.date, variant: int = 0, **fields) -> Path:
        return Path(landing) / self.subfolder / self.file_name(key, variant, **fields)

    def parse_function(self):
        module, function = self.parser.split(":")
        return getattr(importlib.import_module(module), function)


def _yearly(name: str, stem: str) -> Source:
    return Source(name, "municipal", "budgets", "budgets", (re.compile(rf"^{stem}_(\d{{4}})\.csv$"),),
                  (f"{stem}_{{key}}.csv",), (RawTable(name, name),), "_year", YEAR,
                  tuple(str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)), "ingestion.budgets:parse_file")


REGISTRY = Source(
    "registry", "registry", "registry", "registry",
    (re.compile(r"^pakalpojumusniedzejudati_(\d{4})(\d{2})(\d{2})\.json(\.gz)?$"),  # open data, 2017–
     re.compile(r"^sps_registrs_(\d{4})-(\d{2})-(\d{2})\.(csv|xlsx)(\.gz)?$")),  # legacy exports, 2009–2016
    ("pakalpojumusniedzejudati_{key:%Y%m%d}.json{ext}", "sps_registrs_{key:%Y-%m-%d}.{ext}"),
    (RawTable("registry_provider_services", "registry"),), "_snapshot_date", SNAPSHOT_DATE, (),
    "ingestion.registry:parse_file", partitions_name="register_snapshots",
    near_miss=re.compile(r"^(pakalpojumusniedzejudati_\d{8}|sps_registrs_\d{4}-\d{2}-\d{2})\."))
ESF_CFLA = Source(
    "esf_cfla", "esf", "esf_cfla", "esf", (re.compile(r"^es_fondu_projekti_(\d{4}_\d{4})\.csv$"),),
    ("es_fondu_projekti_{key}.csv",), (RawTable("esf_cfla_projects", "esf_cfla"),), "_programming_period", STATIC,
    ("2014_2020", "2021_2027"), "ingestion.esf:parse_cfla")
# The APIA workbook's two sheets are two raw tables; each is its own audit source, so that the load log holds one
# row per sheet (rows read = loaded + rejected per sheet) and re-loading replaces both.
ESF_APIA = Source(
    "esf_apia", "esf", "esf_apia", "esf", (re.compile(r"^apia_1_4_1_2_4\.xlsx$"),), ("apia_1_4_1_2_4.xlsx",),
    (RawTable("esf_apia_projects", "esf_apia_projects"),
     RawTable("esf_apia_planned_services", "esf_apia_planned_services")), "_programming_period", STATIC,
    ("2007_2013",), "ingestion.esf:parse_apia")
BUDGET_EXPENDITURE = _yearly("budget_expenditure", "pasvaldibu_izdevumi")
SOCIAL_SERVICE_STATISTICS = _yearly("social_service_statistics", "soc_pakalpojumi")
SOCIAL_SERVICE_STAFFING = _yearly("social_service_staffing", "soc_dienesti")
# The ministry's yearly statistics of long-term social care: clients at year end and new clients by age group.
LONG_TERM_CARE_CLIENTS = _yearly("long_term_care_clients", "ilgstosas_aprupes_klienti")
POPULATION = Source(
    "population", "population", "population", "reference", (re.compile(r"^iedzivotaji\.csv$"),),
    ("iedzivotaji.csv",), (RawTable("population", "population"),), "_partition", WHOLE, (WHOLE_KEY,),
    "ingestion.population:parse_file")
# By territory (municipality, or its city, town or parish) and age group; loaded by the same job as the above.
POPULATION_BY_AGE = Source(
    "population_by_age", "population", "population", "reference", (re.compile(r"^iedzivotaji_vecuma_grupas\.csv$"),),
    ("iedzivotaji_vecuma_grupas.csv",), (RawTable("population_by_age", "population_by_age"),), "_partition", WHOLE,
    (WHOLE_KEY,), "ingestion.population_age:parse_file")
# Regional development programmes' result indicators by service type: one reference file, replaced whole.
PROGRAMME_TARGETS = Source(
    "programme_targets", "programmes", "programmes", "reference",
    (re.compile(r"^programmu_rezultatu_raditaji\.csv$"),), ("programmu_rezultatu_raditaji.csv",),
    (RawTable("programme_targets", "programme_targets"),), "_partition", WHOLE, (WHOLE_KEY,),
    "ingestion.programmes:parse_file")

SOURCES: dict[str, Source] = {s.name: s for s in (REGISTRY, ESF_CFLA, ESF_APIA, BUDGET_EXPENDITURE,
                                                  SOCIAL_SERVICE_STATISTICS, SOCIAL_SERVICE_STAFFING,
                                                  LONG_TERM_CARE_CLIENTS, POPULATION, POPULATION_BY_AGE,
                                                  PROGRAMME_TARGETS)}
SUBFOLDERS = tuple(dict.fromkeys(s.subfolder for s in SOURCES.values()))


def of_job(job: str) -> list[Source]:
    """The sources one Dagster ingestion job loads."""
    return [s for s in SOURCES.values() if s.job == job]


def by_audit_source(audit_source: str) -> tuple[Source, RawTable]:
    for source in SOURCES.values():
        for table in source.tables:
            if table.audit_source == audit_source:
                return source, table
    raise KeyError(audit_source)
