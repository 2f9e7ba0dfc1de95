"""Resources: the warehouse (one DuckDB file, one writer at a time; on the postgres and spark targets also the
engine the models are built on) and the landing folder, made from the settings (orchestration/settings.py)."""


from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from ingestion import landing
from orchestration.engines.base import Engine
from orchestration.engines.targets import engine_for, target_name
from orchestration.settings import Settings


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file, and the target the models are built on (orchestration/engines/). Every asset
    that writes it runs in the `warehouse` pool of size 1."""

    path: str
    target: str = "duckdb"

    @contextmanager
    def connect(self, read_only: bool = False):
        """The DuckDB file: the ingestion store on every target, and the warehouse itself on `duckdb`; with the
        settings' memory limit, threads and spill folder (`Settings.duckdb_config`), like dbt's build."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only, config=self.settings().duckdb_config())
        try:
            yield con
        finally:
            con.close()

    def settings(self) -> Settings:
        """The settings of this process with this resource's warehouse and target (the target's servers, Spark
        folder and memory limit come from them)."""
        return Settings().replace(warehouse=self.path, target=self.target)

    def engine(self) -> Engine:
        return engine_for(self.target, self.path, self.settings())

    def frame(self, sql: str):
        """A query's rows as a pandas frame, read from the target (checks validate what the models were built on).
        The query is DuckDB SQL; the engine turns its few DuckDB-only constructs into the target's."""
        engine = self.engine()
        return engine.frame(engine.dialect(sql))

    def rows(self, sql: str) -> list[tuple]:
        engine = self.engine()
        return engine.rows(engine.dialect(sql))

    def mirror(self, con: duckdb.DuckDBPyConnection, sources: list[str] | None = None, log=print) -> dict:
        """Copy the raw and audit partitions of `sources` that changed in the DuckDB file to the target (nothing
        on `duckdb`); {table: rows copied}."""
        return self.engine().mirror(con, sources, log=log)


class LandingFolder(dg.ConfigurableResource):
    """The landing folder the sources are discovered in (docs/inputs.md#the-landing-folder)."""

    path: str

    def scan(self) -> landing.Landing:
        return landing.scan(Path(self.path))


def default_resources(settings: Settings) -> dict:
    return {"warehouse": Warehouse(path=str(settings.warehouse), target=target_name(settings.target)),
            "landing": LandingFolder(path=str(settings.landing_dir))}
