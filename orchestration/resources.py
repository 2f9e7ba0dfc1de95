"""Resources: the warehouse (one DuckDB file, one writer at a time) and the landing folder."""


from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from ingestion import landing
from orchestration.config import warehouse_path


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file. Every asset that writes it runs in the `warehouse` pool of size 1."""

    path: str

    @contextmanager
    def connect(self, read_only: bool = False):
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


class LandingFolder(dg.ConfigurableResource):
    """The landing folder the sources are discovered in (data contract §1)."""

    path: str

    def scan(self) -> landing.Landing:
        return landing.scan(Path(self.path))


def default_resources() -> dict:
    return {"warehouse": Warehouse(path=str(warehouse_path())),
            "landing": LandingFolder(path=str(landing.landing_dir()))}
