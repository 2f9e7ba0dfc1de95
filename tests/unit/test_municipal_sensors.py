"""The sensors of the municipal sources: a run per year whose files appear or change, none when nothing changed;
the population file likewise. Evaluated directly with Dagster's sensor context on a purpose-made landing folder."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from ingestion.landing import scan
from orchestration.defs.municipal import budget_files_sensor, years_in
from orchestration.defs.population import population_file_sensor
from orchestration.resources import LandingFolder


def landing_with(tmp_path: Path, *names: str) -> Path:
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Gads;ATVK kods\n", encoding="utf-8")
    return tmp_path


def evaluate(sensor, landing: Path, cursor: str | None = None):
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, cursor=cursor,
                                          resources={"landing": LandingFolder(path=str(landing))})
        return sensor(context)


def test_budget_sensor_requests_a_run_per_new_or_changed_year(tmp_path: Path) -> None:
    landing = landing_with(tmp_path, "budgets/pasvaldibu_izdevumi_2013.csv", "budgets/soc_dienesti_2013.csv",
                           "budgets/soc_pakalpojumi_2014.csv", "budgets/pasvaldibu_izdevumi_1999.csv")
    assert years_in(scan(landing)) == ["2013", "2014"]  # 1999 lies before the municipality map
    first = evaluate(budget_files_sensor, landing)
    assert sorted(r.partition_key for r in first.run_requests) == ["2013", "2014"]
    assert evaluate(budget_files_sensor, landing, first.cursor).run_requests == []
    changed = landing / "budgets" / "soc_dienesti_2013.csv"
    changed.write_text("Gads;ATVK kods;Pašvaldība\n", encoding="utf-8")
    os.utime(changed, (changed.stat().st_atime, changed.stat().st_mtime + 5))
    again = evaluate(budget_files_sensor, landing, first.cursor)
    assert [r.partition_key for r in again.run_requests] == ["2013"]


def test_population_sensor(tmp_path: Path) -> None:
    assert evaluate(population_file_sensor, tmp_path).run_requests == []
    landing = landing_with(tmp_path, "reference/iedzivotaji.csv")
    first = evaluate(population_file_sensor, landing)
    assert len(first.run_requests) == 1
    assert evaluate(population_file_sensor, landing, first.cursor).run_requests == []
