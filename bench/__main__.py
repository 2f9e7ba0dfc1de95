"""lvsocial benchmark: `python -m bench` (run it with the project's .venv/bin/python).

Measures, each figure the median of --repeats runs:
  full      `lvsocial run` on ×1 (the shipped sample), ×10, ×100 — fresh warehouse and DAGSTER_HOME each run
  floor     the same work without the framework: the pipeline's loaders, seeds and dbt's compiled models on one
            DuckDB connection (bench/floor.py), and the ratio pipeline/floor
  snapshot  one new register snapshot after histories of 12, 60, 180: the run the sensor triggers
  defs      loading the Dagster definitions in a fresh Python (median of 5)
  ui        `lvsocial ui` until its GraphQL API answers with the code location loaded
  suite     the whole test suite once (off by default: about 30 minutes)
  engines   `lvsocial run --target duckdb|postgres|spark` on each of --scales (off by default; --engines)
Wall time, CPU time (user + system) and peak resident memory are of the whole process tree. Results are printed
as a table and written as JSON (machine, versions, git commit, every run)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.landings import REPO

PARTS = ("full", "floor", "snapshot", "defs", "ui", "suite", "engines")
DEFAULT_PARTS = ("full", "floor", "snapshot", "defs", "ui")
DEFAULT_WORK = Path("/tmp/lvsocial-bench")
DEFAULT_RESULTS = REPO / "bench" / "results" / "latest.json"


def _ints(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive whole numbers, got {text!r}")
    return values


def _choices(text: str, allowed, what: str) -> list[str]:
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in allowed]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown {what}(s) {', '.join(unknown) or text!r}; choose from "
                                         f"{', '.join(allowed)}")
    return chosen


def _parts(text: str) -> list[str]:
    return _choices(text, PARTS, "part")


def _engines(text: str) -> list[str]:
    from bench.engines import ENGINES

    return _choices(text, ENGINES, "engine")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=_parts, default=list(DEFAULT_PARTS),
                        help=f"comma-separated parts to measure, of {','.join(PARTS)} (default: "
                             f"{','.join(DEFAULT_PARTS)}; `suite` runs the whole test suite, ~25 min, so only "
                             "when asked for)")
    parser.add_argument("--scales", type=_ints, default=[1, 10, 100],
                        help="landing sizes for full and floor (default 1,10,100); ×1 is the shipped sample, "
                             "others come from `python -m ingestion.sample --scale N`, made once into --work")
    parser.add_argument("--engines", type=_engines, default=["duckdb", "postgres", "spark"],
                        help="targets for the engines part (default duckdb,postgres,spark); postgres uses the "
                             "server LVSOCIAL_PG_* names, else starts a throwaway one (scripts/postgres.sh)")
    parser.add_argument("--history", type=_ints, default=[12, 60, 180],
                        help="register snapshots already loaded before the new one (default 12,60,180)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs per figure, the median is reported (default 3; 5 for defs)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"scratch folder outside the repository (default {DEFAULT_WORK}): generated "
                             "landings (kept), warehouses and Dagster homes of the runs")
    parser.add_argument("--out", type=Path, default=DEFAULT_RESULTS,
                        help="JSON results file (default bench/results/latest.json, ignored by git)")
    parser.add_argument("--check", action="store_true",
                        help="after measuring, print the goals of issue 21 (bench/goals.py) with the measured value "
                             "and met/missed, and exit 1 when one is missed; goals this run did not measure are "
                             "`not measured` and do not fail (`python -m bench.goals FILE` checks a saved file)")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds one run may take (default 4 h)")
    return parser


def main(argv: list[str] | None = None) -> int:
    from bench.runner import Bench

    args = build_parser().parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        raise SystemExit("error: --repeats must be at least 1")
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
