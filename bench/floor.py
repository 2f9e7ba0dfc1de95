"""The floor: lvsocial's work without its framework, in one process on one DuckDB connection.

* `make_plan()` runs in the benchmark's own process, untimed: the landing folder's files per source and partition
  (`ingestion.landing.scan`, the pipeline's own rules and partitions) and the seeds and compiled models of dbt's
  manifest (`bench.compiled`), as JSON.
* `python -m bench.floor PLAN DB RESULT` is the measured process. It loads each source with the pipeline's own
  loader (`ingestion.registry.load_snapshots`, `ingestion.esf`, `ingestion.budgets`, `ingestion.population`,
  `ingestion.population_age`, `ingestion.programmes`: the same parsing of encodings, decimal commas, dates, headers
  and addresses, the same rejected rows and audit rows),
  reads the seeds, then runs `create or replace view|table <schema>.<name> as <compiled SQL>` per model. It writes
  the time of each step and the row count of every table to RESULT.

So the floor holds no rule of its own: its rows equal the pipeline's (tests/unit/test_bench.py), and the ratio
pipeline/floor is the cost of what it leaves out: Dagster (runs, events, partitions), the dbt runner, dbt tests,
Great Expectations, mirroring to other targets, publishing, charts and dbt docs."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

SCHEMAS = ("raw", "reference", "staging", "intermediate", "marts", "reporting")


# --- the plan (benchmark process) -------------------------------------------------------------------------------

def make_plan(landing: Path, manifest_path: Path) -> dict:
    """Everything the floor process needs, as JSON-ready data (see the module docstring)."""
    from bench.compiled import dbt_nodes
    from ingestion import esf
    from ingestion.landing import scan
    from ingestion.sources import SOURCES

    found = scan(Path(landing))  # the sources, file names and partitions of ingestion/sources.py
    database, seeds, models = dbt_nodes(manifest_path)
    return {
        "landing": str(landing),
        "database": database,
        "files": {name: {key: [str(p) for p in paths] for key, paths in sorted(found.of(name).items())}
                  for name in SOURCES},
        "cfla_measures": list(esf.social_measures()),
        "seeds": seeds,
        "models": models,
    }


# --- the floor process ------------------------------------------------------------------------------------------

def _paths(names: list[str]) -> list[Path]:
    return [Path(n) for n in names]


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
        self.con = duckdb.connect(str(self.db_path))
        self.steps: list[dict] = []
        self.notes: list[str] = []

    def step(self, name: str, fn) -> None:
        start = time.perf_counter()
        fn()
        self.steps.append({"step": name, "seconds": round(time.perf_counter() - start, 4)})

    def failed(self, what: str, exc: Exception) -> None:
        """A file the pipeline fails is left out here too, and said."""
        self.notes.append(f"{what}: {exc} (left out, as the pipeline fails it)")

    # -- sources, each by the pipeline's loader --

    def raw_tables(self) -> None:
        import importlib

        from ingestion.sources import SOURCES

        for schema in SCHEMAS:
            self.con.execute(f"create schema if not exists {schema}")
        for module in dict.fromkeys(source.parser.split(":")[0] for source in SOURCES.values()):
            importlib.import_module(module).ensure_tables(self.con)  # a source without files has empty tables

    def registry(self) -> None:
        from ingestion import registry

        jobs = [(dt.date.fromisoformat(key), _paths(paths)) for key, paths in self.plan["files"]["registry"].items()]
        for snapshot, _totals, _warnings, error in registry.load_snapshots(self.con, jobs):
            if error is not None:
                self.failed(f"register snapshot {snapshot}", error)

    def esf(self) -> None:
        from ingestion import esf
        from ingestion.common import IngestionError

        measures = tuple(self.plan["cfla_measures"])
        for period, paths in self.plan["files"][esf.SOURCE_CFLA].items():
            try:
                esf.load_cfla_period(self.con, period, _paths(paths), measures)
            except IngestionError as exc:
                self.failed(f"CFLA {period}", exc)
        for paths in self.plan["files"]["esf_apia"].values():
            try:
                esf.load_apia(self.con, _paths(paths))
            except IngestionError as exc:
                self.failed("APIA", exc)

    def budgets(self) -> None:
        from ingestion import budgets
        from ingestion.common import IngestionError

        for source in budgets.FILES:
            for year, paths in self.plan["files"][source].items():
                try:
                    budgets.load_year(self.con, source, int(year), _paths(paths))
                except IngestionError as exc:
                    self.failed(f"{source} {year}", exc)

    def population(self) -> None:
        from ingestion import population, population_age, programmes
        from ingestion.common import IngestionError

        for module in (population, population_age, programmes):  # the reference files, each replaced whole
            for paths in self.plan["files"][module.SOURCE].values():
                try:
                    module.load(self.con, _paths(paths))
                except IngestionError as exc:
                    self.failed(module.SOURCE, exc)

    # -- dbt --

    def run(self) -> dict:
        from bench.compiled import build_models, build_seeds, count_rows

        started = time.perf_counter()
        self.step("raw tables", self.raw_tables)
        self.step("seeds (read_csv)", lambda: build_seeds(self.con, self.plan["database"], self.plan["seeds"]))
        self.step("raw: register (ingestion.registry)", self.registry)
        self.step("raw: EU funds (ingestion.esf)", self.esf)
        self.step("raw: budgets, statistics, staffing (ingestion.budgets)", self.budgets)
        self.step("raw: population, programme targets (ingestion.population, ingestion.programmes)", self.population)
        self.step("dbt models (compiled SQL)",
                  lambda: build_models(self.con, self.plan["database"], self.plan["models"]))
        self.con.execute("checkpoint")
        work = time.perf_counter() - started
        counts = count_rows(self.con)
        self.con.close()
        return {"work_seconds": round(work, 4), "steps": self.steps, "row_counts": counts, "notes": self.notes}


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
