"""The goals of issue 21 (*Scale and memory*), the one table of them, and their evaluation on a benchmark's results:
`python -m bench --check` measures, then exits non-zero when a goal measured in that bench run is missed;
`python -m bench.goals RESULTS.json` checks a saved results file. A goal whose figures this bench run did not
measure (another scale, part or history) is reported as not measured and does not fail."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

# The measurements' names in results (bench/runner.py, bench/services.py write them).
FULL = "full lvsocial run"
FLOOR = "floor (parsers + DuckDB)"  # before 2026-12 "floor (DuckDB alone)": SQL copies of the parsers
SNAPSHOT = "new register snapshot (sensor run)"
UI = "lvsocial ui: first answer"
# Settings that change what a run may use: the goals are for the default settings.
TUNING = ("LVSOCIAL_DUCKDB_MEMORY_LIMIT", "LVSOCIAL_DUCKDB_THREADS", "LVSOCIAL_GX_CHUNK_ROWS")


@dataclass(frozen=True)
class Goal:
    """`what` must be at most `limit` (in `unit`). `kind` says how it is read from the results: `wall` (median wall
    seconds of `measurement`/`key`), `peak` (its median peak RSS in GiB), `floor_ratio` (the full run's median wall
    over the floor's at `key`), `snapshot_ratio` (the sensor run's median wall after history `key` over `base`)."""

    what: str
    kind: str
    limit: float
    unit: str
    key: str
    measurement: str = FULL
    base: str = ""


GOALS = (
    Goal("cold `lvsocial run` on the sample", "wall", 30, "s", "x1"),
    Goal("×10, pipeline / floor (wall)", "floor_ratio", 1.5, "×", "x10"),
    Goal("×10, peak memory of the run", "peak", 2, "GiB", "x10"),
    Goal("×100, pipeline / floor (wall)", "floor_ratio", 1.5, "×", "x100"),
    Goal("×100, peak memory of the run", "peak", 3, "GiB", "x100"),
    Goal("one new snapshot after 180 of history / after 12", "snapshot_ratio", 1.1, "×", "K=180", SNAPSHOT, "K=12"),
    Goal("`lvsocial ui` until its API answers", "wall", 8, "s", "-", UI),
)


def _entry(results: list[dict], measurement: str, key: str) -> dict | None:
    return next((r for r in results if r["measurement"] == measurement and r["key"] == key), None)


def _value(goal: Goal, results: list[dict]) -> tuple[str, float | None]:
    """('not measured', None), ('failed', None) when every run of a measured figure failed, or ('ok', value)."""
    if goal.kind == "floor_ratio":
        entries = [_entry(results, FULL, goal.key), _entry(results, FLOOR, goal.key)]
        figure = "wall_s"
    elif goal.kind == "snapshot_ratio":
        entries = [_entry(results, goal.measurement, goal.key), _entry(results, goal.measurement, goal.base)]
        figure = "wall_s"
    else:
        entries = [_entry(results, goal.measurement, goal.key)]
        figure = "peak_rss_mib" if goal.kind == "peak" else "wall_s"
    if any(e is None for e in entries):
        return "not measured", None
    values = [e["median"].get(figure) for e in entries]
    if any(not v for v in values):
        return "failed", None
    if goal.kind == "peak":
        return "ok", values[0] / 1024
    return "ok", values[0] / values[1] if len(values) == 2 else values[0]


def evaluate(report: dict) -> list[dict]:
    """One row per goal: what, limit, unit, the measured value (or None) and its status (`met`, `missed`,
    `not measured`). A figure whose runs all failed is missed; so is every measured goal when the bench ran with
    a tuning setting of TUNING given (`report["tuning"]`), since the goals are for the default settings."""
    tuning = report.get("tuning") or {}
    rows = []
    for goal in GOALS:
        state, value = _value(goal, report.get("results", []))
        if state == "not measured":
            status, note = "not measured", ""
        elif state == "failed":
            status, note = "missed", "no successful run"
        elif tuning:
            status, note = "missed", "not at default settings: " + ", ".join(f"{k}={v}" for k, v in tuning.items())
        else:
            status, note = ("met" if value <= goal.limit else "missed"), ""
        rows.append({"goal": goal.what, "limit": goal.limit, "unit": goal.unit,
                     "value": None if value is None else round(value, 3), "status": status, "note": note})
    return rows


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}×" if unit == "×" else f"{value:,.2f} {unit}" if unit == "GiB" else f"{value:,.1f} {unit}"


def report_lines(rows: list[dict]) -> list[str]:
    width = max(len(r["goal"]) for r in rows)
    lines = ["goals (issue 21):"]
    for r in rows:
        limit = f"≤ {r['limit']:g}{'×' if r['unit'] == '×' else ' ' + r['unit']}"
        lines.append(f"  {r['goal']:<{width}}  {limit:>9}  {_figure(r['value'], r['unit']):>11}  {r['status']}"
                     + (f" ({r['note']})" if r["note"] else ""))
    return lines


def missed(rows: list[dict]) -> bool:
    return any(r["status"] == "missed" for r in rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m bench.goals RESULTS.json", file=sys.stderr)
        return 2
    rows = evaluate(json.loads(Path(args[0]).read_text(encoding="utf-8")))
    print("\n".join(report_lines(rows)))
    return 1 if missed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
