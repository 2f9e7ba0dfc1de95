"""The benchmark runs and reports: `python -m bench --only floor,defs` on the shipped sample writes a JSON file with
the machine, the figures of every run, and a floor that built every table with the pipeline's row counts (the
shared sample run's), since it runs the pipeline's own loaders and compiled SQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.compiled import lit, q
from bench.measure import run_measured, tree_cpu_seconds
from bench.report import count_rows

REPO = Path(__file__).resolve().parents[2]
MARTS = ["dim_municipality", "dim_provider", "dim_service", "fct_esf_planned_services", "fct_esf_projects",
         "fct_municipal_expenditure", "fct_provider_services", "fct_register_changes", "fct_social_service_statistics",
         "fct_social_work_staffing", "fct_long_term_care_clients", "fct_programme_targets"]


def test_floor_and_definitions_figures(tmp_path: Path, sample_run) -> None:
    out = tmp_path / "latest.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--only", "floor,defs", "--scales", "1", "--repeats", "1",
                           "--work", str(tmp_path / "work"), "--out", str(out)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[floor ×1] run 1/1: wall" in proc.stdout  # progress as it goes, then the table
    assert "floor (parsers + DuckDB)" in proc.stdout.split("measurement")[-1]

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["machine"]["cpu_count"] >= 1 and report["machine"]["packages"]["dagster"]
    assert report["git"]["commit"] and report["errors"] == []
    results = {r["measurement"]: r for r in report["results"]}
    assert set(results) == {"floor (parsers + DuckDB)", "Dagster definitions load"}
    for result in results.values():
        assert result["median"]["runs"] == len(result["runs"]) == 1
        for figure in ("wall_s", "cpu_s", "peak_rss_mib"):
            assert result["median"][figure] > 0, (result["measurement"], figure)

    floor = results["floor (parsers + DuckDB)"]
    counts = floor["row_counts"]
    assert {t for t in counts if t.startswith("marts.")} == {f"marts.{m}" for m in MARTS}
    assert all(counts[f"marts.{m}"] > 0 for m in MARTS), counts
    assert counts["raw.registry_provider_services"] == counts["marts.fct_provider_services"]
    # Every raw, seed, intermediate, mart and reporting table: the pipeline's rows, table for table.
    pipeline = count_rows(sample_run.warehouse)
    assert len(pipeline) > 20 and counts == pipeline, {
        t: (pipeline.get(t), counts.get(t)) for t in set(pipeline) | set(counts) if pipeline.get(t) != counts.get(t)}
    assert floor["floor_notes"] == []  # the sample has no file the pipeline fails
    steps = [s["step"] for s in floor["runs"][0]["steps"]]
    assert steps[-1] == "dbt models (compiled SQL)" and "raw: register (ingestion.registry)" in steps


def test_measures_the_whole_process_tree(tmp_path: Path) -> None:
    """Memory of a grandchild counts, and so does the CPU time of the children the process waited for."""
    script = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
              "'x = bytearray(150 * 1024 * 1024); sum(range(3 * 10**6)); import time; time.sleep(0.5)'])")
    m = run_measured([sys.executable, "-c", script], log=tmp_path / "log")
    assert m.returncode == 0
    assert m.peak_rss_mib > 150  # the grandchild's bytearray, seen by the sampler
    assert m.cpu_s > 0.05 and m.wall_s >= 0.5
    assert tree_cpu_seconds(1) >= 0  # readable for any live process


def test_sql_quoting() -> None:
    assert q('a"b') == '"a""b"'
    assert lit("it's") == "'it''s'" and lit(None) == "null" and lit([1, "x"]) == "[1, 'x']"


@pytest.mark.parametrize("bad", [["--only", "floor,nope"], ["--scales", "0"], ["--history", "x"]])
def test_rejects_bad_options(bad: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "bench", *bad], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2 and "error" in proc.stderr


def _entry(measurement: str, key: str, wall: float | None, peak_mib: float | None = 500.0) -> dict:
    return {"measurement": measurement, "key": key, "runs": [{}],
            "median": {"wall_s": wall, "cpu_s": wall, "peak_rss_mib": None if wall is None else peak_mib,
                       "runs": 0 if wall is None else 1}}  # the medians are of the successful runs


def test_goals_are_met_missed_or_not_measured() -> None:
    from bench.goals import FLOOR, FULL, SNAPSHOT, evaluate, missed, report_lines

    report = {"results": [
        _entry(FULL, "x1", 28.0), _entry(FLOOR, "x1", 4.0),
        _entry(FULL, "x10", 60.0, peak_mib=2100.0), _entry(FLOOR, "x10", 40.0),  # 1.5× met; 2.05 GiB missed
        _entry(SNAPSHOT, "K=12", 30.0), _entry(SNAPSHOT, "K=180", 33.3),  # 1.11× missed
    ]}
    rows = {r["goal"]: r for r in evaluate(report)}
    assert [(r["status"], r["value"]) for r in rows.values()] == [
        ("met", 28.0), ("met", 1.5), ("missed", 2.051), ("not measured", None), ("not measured", None),
        ("missed", 1.11), ("not measured", None)]
    assert missed(rows.values())
    lines = report_lines(list(rows.values()))
    assert any("×10, peak memory of the run" in line and "2.05 GiB" in line and line.endswith("missed")
               for line in lines)
    assert any("`lvsocial ui`" in line and line.endswith("not measured") for line in lines)

    only_x1 = evaluate({"results": report["results"][:2]})
    assert [r["status"] for r in only_x1] == ["met"] + ["not measured"] * 6 and not missed(only_x1)
    failed = evaluate({"results": [_entry(FULL, "x100", None), _entry(FLOOR, "x100", 400.0)]})
    assert [(r["status"], r["note"]) for r in failed if r["goal"].startswith("×100")] == [
        ("missed", "no successful run")] * 2  # a run that failed (out of memory) misses its goals
    tuned = evaluate({"results": report["results"][:2], "tuning": {"LVSOCIAL_DUCKDB_MEMORY_LIMIT": "8GB"}})
    assert tuned[0]["status"] == "missed" and "LVSOCIAL_DUCKDB_MEMORY_LIMIT=8GB" in tuned[0]["note"]


def test_goals_check_a_saved_results_file(tmp_path: Path) -> None:
    from bench.goals import FULL

    path = tmp_path / "results.json"
    path.write_text(json.dumps({"results": [_entry(FULL, "x1", 31.0)]}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "bench.goals", str(path)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "cold `lvsocial run` on the sample" in proc.stdout and "31.0 s  missed" in proc.stdout
    path.write_text(json.dumps({"results": [_entry(FULL, "x1", 29.0)]}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "bench.goals", str(path)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0 and "29.0 s  met" in proc.stdout
