"""The ingestion sources Dagster knows: for each, its asset, its partitions, and how to find the partition keys a
landing folder holds. The CLI runs one ingestion run per source (all its partitions at once), then one transform
run; the definitions build one `ingest_<name>` job per source from this list."""

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import duckdb

from ingestion.landing import Landing


@dataclass(frozen=True)
class IngestionSource:
    name: str
    assets: list  # the source's ingestion asset definitions (one or more raw tables)
    partitions_def: dg.PartitionsDefinition | None
    keys_in: Callable[[Landing], list[str]]  # partition keys the landing holds ([] = nothing to load; an
    #                                          unpartitioned source returns ["all"] when its file is there)
    ensure_tables: Callable[[duckdb.DuckDBPyConnection], None]  # create its raw tables, empty, if missing

    @property
    def job_name(self) -> str:
        return f"ingest_{self.name}"

    @property
    def asset_keys(self) -> list[dg.AssetKey]:
        return [key for a in self.assets for key in a.keys]

    def job(self):
        return dg.define_asset_job(self.job_name, selection=dg.AssetSelection.assets(*self.asset_keys),
                                   description=f"Load the {self.name} files of the landing folder into raw.")


# Modules under orchestration/defs/ that define sources: each exports SOURCES, CHECKS and SENSORS lists.
SOURCE_MODULES = ["registry", "esf", "budgets", "population"]


def source_modules() -> list:
    import importlib

    return [importlib.import_module(f"orchestration.defs.{name}") for name in SOURCE_MODULES]


def all_sources() -> list[IngestionSource]:
    return [source for module in source_modules() for source in module.SOURCES]
