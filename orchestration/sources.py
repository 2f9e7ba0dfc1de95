"""The ingestion sources Dagster knows, built from the declarations of `ingestion/sources.py`: for each ingestion
job, its sources, its assets and its partitions, and the partition keys a landing folder holds. The CLI runs one
ingestion run per job (all its partitions at once), then one transform run; the definitions build one
`ingest_<job>` job per entry. The assets, checks and sensors of an area are in `orchestration/defs/<area>.py`."""

import importlib
from dataclasses import dataclass
from functools import cache

import dagster as dg
import duckdb

from ingestion.landing import Landing
from ingestion.sources import SNAPSHOT_DATE, SOURCES, WHOLE, WHOLE_KEY, Source, of_job


def partitions_def(source: Source) -> dg.PartitionsDefinition | None:
    """The partitions of a source, from its declaration: one object for every source of the same partitions (the
    yearly municipal files), shared by their assets and job."""
    return _partitions(source.partition_kind, source.partitions, source.partitions_name)


@cache
def _partitions(kind: str, keys: tuple[str, ...], name: str) -> dg.PartitionsDefinition | None:
    if kind == WHOLE:
        return None
    if kind == SNAPSHOT_DATE:
        return dg.DynamicPartitionsDefinition(name=name)
    return dg.StaticPartitionsDefinition(list(keys))


@dataclass(frozen=True)
class IngestionSource:
    name: str  # the job: `ingest_<name>`
    assets: list  # the ingestion asset definitions of its sources (one or more raw tables)

    @property
    def sources(self) -> list[Source]:
        return of_job(self.name)

    @property
    def partitions_def(self) -> dg.PartitionsDefinition | None:
        return partitions_def(self.sources[0])

    @property
    def job_name(self) -> str:
        return f"ingest_{self.name}"

    @property
    def asset_keys(self) -> list[dg.AssetKey]:
        return [key for a in self.assets for key in a.keys]

    def keys_in(self, landing: Landing) -> list[str]:
        """Partition keys the landing holds ([] = nothing to load; an unpartitioned source gives ["all"] when its
        file is there)."""
        keys = {key for source in self.sources for key in landing.of(source)}
        if self.partitions_def is None:
            return [WHOLE_KEY] if keys else []
        return sorted(keys)

    def ensure_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create its raw tables, empty, if missing (each reader module's `ensure_tables`)."""
        for module in dict.fromkeys(source.parser.split(":")[0] for source in self.sources):
            importlib.import_module(module).ensure_tables(con)

    def job(self):
        return dg.define_asset_job(self.job_name, selection=dg.AssetSelection.assets(*self.asset_keys),
                                   description=f"Load the {self.name} files of the landing folder into raw.")


# The modules under orchestration/defs/ that define sources, one per area: each exports SOURCES, CHECKS and SENSORS.
SOURCE_MODULES = list(dict.fromkeys(source.area for source in SOURCES.values()))


def source_modules() -> list:
    return [importlib.import_module(f"orchestration.defs.{name}") for name in SOURCE_MODULES]


def all_sources() -> list[IngestionSource]:
    return [source for module in source_modules() for source in module.SOURCES]
