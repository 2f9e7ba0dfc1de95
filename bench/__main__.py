"""lvsocial benchmark: `python -m bench` (run it with the project's .venv/bin/python).

Measures, each figure the median of --repeats runs:
  full      `lvsocial run` on ×1 (the shipped sample), ×10, ×100 — fresh warehouse and DAGSTER_HOME each run
  floor     the same work by DuckDB alone (raw loads, seeds, dbt's compiled models), and the ratio pipeline/floor
  snapshot  one new register snapshot after histories of 12, 60, 180: the run the sensor triggers
  defs      loading the Dagster definitions in a fresh Python (median of 5)
  ui        `lvsocial ui` until its GraphQL API answers with the code location loaded
  suite     the whole test suite once (off by default: about 30 minutes)
  engines   `lvsocial run --target duckdb|postgres|spark` on each of --scales (off by default; --engines)
Wall time, CPU time (user + system) and peak resident memory are of the whole process tree. Results are printed
as a table and written as JSON (machine, versions, git commit, every run)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import landings
from bench.landings import REPO, BenchError
from bench.measure import MIB, Sampler, default_signals, end_leftovers, run_measured, stop_group, tree_cpu_seconds

PARTS = ("full", "floor", "snapshot", "defs", "ui", "suite", "engines")
DEFAULT_PARTS = ("full", "floor", "snapshot", "defs", "ui")
DEFAULT_WORK = Path("/tmp/lvsocial-bench")
DEFAULT_RESULTS = REPO / "bench" / "results" / "latest.json"
PACKAGES = ("dagster", "dagster-dbt", "dagster-webserver", "dbt-core", "dbt-duckdb", "duckdb", "great_expectations",
            "pandas")
GRAPHQL_QUERY = "{ repositoriesOrError { ... on RepositoryConnection { nodes { name jobs { name } } } } }"


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
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds one run may take (default 4 h)")
    return parser


# --- helpers ----------------------------------------------------------------------------------------------------

def say(message: str) -> None:
    print(message, flush=True)


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def fmt(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def ratio(a, b) -> str:
    return "—" if not a or not b else f"{a / b:.1f}×"


def figures_line(f: dict) -> str:
    return (f"wall {fmt(f.get('wall_s'))} s, CPU {fmt(f.get('cpu_s'))} s, "
            f"peak RSS {fmt(f.get('peak_rss_mib'), 0)} MiB")


def machine() -> dict:
    from importlib import metadata

    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        mem = None
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"hostname": socket.gethostname(), "cpu_count": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)), "cpu_model": model,
            "ram_gib": round(mem / 1024 / 1024, 1) if mem else None, "platform": platform.platform(),
            "python": platform.python_version(), "packages": versions, "load_average_at_start": os.getloadavg()}


def git_info() -> dict:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD") or None, "branch": git("rev-parse", "--abbrev-ref", "HEAD") or None,
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def count_rows(db: Path) -> dict[str, int]:
    """Rows of every table of the raw, reference, intermediate, marts and reporting schemas (read-only)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select schema_name, table_name from duckdb_tables() where database_name = "
                           "current_database() and schema_name in ('raw', 'reference', 'intermediate', 'marts', "
                           "'reporting') order by 1, 2").fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in rows}
    finally:
        con.close()


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- the benchmark ----------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work: Path = args.work.resolve()
        if self.work.is_relative_to(REPO):
            raise SystemExit(f"error: --work {self.work} is inside the repository; use a folder outside it")
        self.work.mkdir(parents=True, exist_ok=True)
        self.python = sys.executable
        self.lvsocial = str(Path(sys.executable).parent / "lvsocial")
        if not Path(self.lvsocial).exists():
            raise SystemExit(f"error: {self.lvsocial} not found: run the benchmark with the project's "
                             ".venv/bin/python after `bash scripts/setup.sh`")
        self.results: list[dict] = []
        self.errors: list[str] = []
        self.row_count_differences: dict[str, dict] = {}
        self.report = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                       "command": ["python", "-m", "bench", *sys.argv[1:]],
                       "options": {"only": args.only, "scales": args.scales, "history": args.history,
                                   "repeats": args.repeats, "work": str(self.work)},
                       "machine": machine(), "git": git_info()}

    def repeats(self, default: int = 3) -> int:
        return self.args.repeats or default

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DAGSTER_HOME", "LVSOCIAL_WAREHOUSE", "LVSOCIAL_LANDING_DIR")}
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def add(self, measurement: str, key: str, runs: list[dict], notes: str = "", **extra) -> dict:
        ok = [r for r in runs if r.get("ok", True)]
        entry = {"measurement": measurement, "key": key, "runs": runs, "notes": notes, **extra,
                 "median": {f: median([r.get(f) for r in ok]) for f in ("wall_s", "cpu_s", "peak_rss_mib")}}
        entry["median"]["runs"] = len(ok)
        self.results.append(entry)
        self.save()
        return entry

    def find(self, measurement: str, key: str) -> dict | None:
        return next((r for r in self.results if r["measurement"] == measurement and r["key"] == key), None)

    def save(self) -> None:
        out = self.args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {**self.report, "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  "load_average_at_end": os.getloadavg(), "results": self.results,
                  "row_count_differences": self.row_count_differences, "errors": self.errors}
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        tmp.replace(out)

    # -- 1. full lvsocial run --

    def lvsocial_run(self, landing: Path, run_dir: Path, log_name: str = "lvsocial-run.log", target: str = "duckdb",
                     env_extra: dict | None = None, measured=None) -> tuple[dict, Path]:
        """One measured `lvsocial run` with a fresh warehouse and DAGSTER_HOME under run_dir (on `target`)."""
        fresh(run_dir)
        warehouse = run_dir / "warehouse" / "lvsocial.duckdb"
        log = run_dir / log_name
        extra = [] if target == "duckdb" else ["--target", target]
        m = run_measured([self.lvsocial, "run", "--landing", str(landing), "--warehouse", str(warehouse), *extra],
                         env=self.env(DAGSTER_HOME=run_dir / "dagster_home", **(env_extra or {})), cwd=REPO,
                         log=log, timeout=self.args.timeout)
        run = {**m.figures(), "ok": m.returncode == 0, "log": str(log)}
        if measured is not None:
            measured.append(m)
        if m.returncode != 0:
            run["error"] = f"lvsocial run exited {m.returncode}; log {log}:\n{tail(log)}"
        return run, warehouse

    def full(self, scale: int) -> None:
        landing = landings.scaled(self.work, scale, self.python)
        about = landings.describe(landing)
        say(f"[full ×{scale}] lvsocial run on {landing} ({about['register_snapshots']} register snapshots, "
            f"{about['files']} files, {about['bytes'] / MIB:,.1f} MiB)")
        runs, counts = [], None
        n = self.repeats()
        for i in range(1, n + 1):
            run, warehouse = self.lvsocial_run(landing, self.work / "runs" / f"full-x{scale}")
            runs.append(run)
            say(f"[full ×{scale}] run {i}/{n}: {figures_line(run)}"
                + ("" if run["ok"] else f" — FAILED (exit {run['returncode']}, see {run['log']})"))
            if run["ok"] and warehouse.exists():
                counts = count_rows(warehouse)
        entry = self.add("full lvsocial run", f"x{scale}", runs, notes=f"{about['register_snapshots']} snapshots, "
                         f"{about['bytes'] / MIB:,.0f} MiB landing", scale=scale, landing=about, row_counts=counts)
        if counts is not None:  # for a later `--only floor`: row counts to compare with, figures for the ratio
            (self.work / "runs" / f"full-x{scale}" / "pipeline.json").write_text(json.dumps(
                {"date": self.report["date"], "commit": self.report["git"]["commit"], "median": entry["median"],
                 "row_counts": counts}, indent=2))

    # -- 2. the floor --

    def compiled_manifest(self) -> Path:
        """dbt's compiled manifest, made by `dbt compile` into WORK/dbt (again only when the dbt project changed)."""
        project = REPO / "dbt_project"
        stamp = [str(p.relative_to(project)) + f":{p.stat().st_size}:{p.stat().st_mtime_ns}"
                 for sub in ("models", "macros", "seeds", "tests") for p in sorted((project / sub).rglob("*"))
                 if p.is_file()]
        stamp += [f"{f}:{(project / f).stat().st_mtime_ns}" for f in ("dbt_project.yml", "profiles.yml")]
        folder = self.work / "dbt"
        manifest = folder / "target" / "manifest.json"
        fingerprint = folder / "fingerprint"
        text = "\n".join(stamp)
        if manifest.exists() and fingerprint.exists() and fingerprint.read_text() == text:
            return manifest
        fresh(folder)
        dbt = str(Path(self.python).parent / "dbt")
        say("  dbt compile (once per change of the dbt project) ...")
        proc = subprocess.run([dbt, "compile", "--quiet", "--project-dir", str(project), "--profiles-dir",
                               str(project), "--target-path", str(folder / "target"), "--log-path",
                               str(folder / "logs")], cwd=REPO, capture_output=True, text=True,
                              env=self.env(LVSOCIAL_WAREHOUSE=folder / "lvsocial.duckdb"))
        if proc.returncode != 0 or not manifest.exists():
            raise BenchError(f"dbt compile failed (exit {proc.returncode}):\n"
                             f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        fingerprint.write_text(text)
        return manifest

    def floor(self, scale: int) -> None:
        from bench.floor import make_plan

        landing = landings.scaled(self.work, scale, self.python)
        manifest = self.compiled_manifest()
        base = self.work / "runs" / f"floor-x{scale}"
        fresh(base)
        plan = make_plan(landing, manifest)
        plan_path = base / "plan.json"
        plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
        say(f"[floor ×{scale}] DuckDB alone on {landing}: {len(plan['seeds'])} seeds, {len(plan['models'])} models")
        runs, result = [], None
        n = self.repeats()
        for i in range(1, n + 1):
            db_dir = fresh(base / "db")
            db = db_dir / f"{plan['database']}.duckdb"
            result_path = base / "result.json"
            log = base / "floor.log"
            m = run_measured([self.python, "-m", "bench.floor", str(plan_path), str(db), str(result_path)],
                             env=self.env(), cwd=REPO, log=log, timeout=self.args.timeout)
            run = {**m.figures(), "ok": m.returncode == 0}
            if m.returncode == 0:
                result = json.loads(result_path.read_text(encoding="utf-8"))
                run.update(work_s=result["work_seconds"], steps=result["steps"])
            else:
                run["error"] = f"the floor exited {m.returncode}; log {log}:\n{tail(log)}"
            runs.append(run)
            say(f"[floor ×{scale}] run {i}/{n}: {figures_line(run)}"
                + ("" if run["ok"] else f" — FAILED:\n{run['error']}"))
        counts = result["row_counts"] if result else None
        notes = []
        entry = self.add("floor (DuckDB alone)", f"x{scale}", runs, scale=scale, row_counts=counts,
                         xlsx_reader=result.get("xlsx_reader") if result else None,
                         floor_notes=result.get("notes") if result else None)
        if counts is not None:
            empty = [t for t, c in counts.items() if t.startswith("marts.") and c == 0]
            if empty:
                notes.append(f"EMPTY marts: {', '.join(empty)}")
            notes.append(self.compare(scale, counts))
        full, since = self.find("full lvsocial run", f"x{scale}"), ""
        stored = self.pipeline_summary(scale)
        if not (full and full["median"]["wall_s"]) and stored:
            full, since = stored, f" (pipeline measured {stored['date']})"
        if full and full["median"]["wall_s"]:
            fm, pm = entry["median"], full["median"]
            entry["ratio_pipeline_to_floor"] = {
                f: round(pm[f] / fm[f], 2) if pm[f] and fm[f] else None for f in ("wall_s", "cpu_s", "peak_rss_mib")}
            notes.insert(0, f"pipeline/floor: wall {ratio(pm['wall_s'], fm['wall_s'])}, CPU "
                            f"{ratio(pm['cpu_s'], fm['cpu_s'])}, RSS {ratio(pm['peak_rss_mib'], fm['peak_rss_mib'])}"
                            + since)
        entry["notes"] = "; ".join(n for n in notes if n)
        self.save()

    def pipeline_summary(self, scale: int) -> dict | None:
        """The last successful full run of this scale in --work: date, commit, median figures, row counts."""
        path = self.work / "runs" / f"full-x{scale}" / "pipeline.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def compare(self, scale: int, floor_counts: dict[str, int]) -> str:
        """Compare the floor's row counts with the pipeline's last full run on the same landing; warn on differences."""
        stored = self.pipeline_summary(scale)
        if stored is None:
            return "no pipeline run of this scale in --work to compare row counts with (add `full`)"
        pipeline = stored["row_counts"]
        differences = {t: {"pipeline": pipeline.get(t), "floor": floor_counts.get(t)}
                       for t in sorted(set(pipeline) | set(floor_counts)) if pipeline.get(t) != floor_counts.get(t)}
        self.row_count_differences[f"x{scale}"] = differences
        marts = {t: d for t, d in differences.items() if t.split(".")[0] in ("marts", "reporting")}
        if not differences:
            return "row counts equal the pipeline's (raw, seeds, intermediate, marts, reporting)"
        say(f"[floor ×{scale}] WARNING: row counts differ from the pipeline's:")
        for table, d in differences.items():
            say(f"    {table:<50} pipeline {d['pipeline']}  floor {d['floor']}")
        return (f"WARNING {len(differences)} tables' row counts differ from the pipeline's "
                f"({len(marts)} marts/reporting): see row_count_differences")

    # -- 3. one new register snapshot --

    def snapshot(self, k: int) -> None:
        base = landings.generated(self.work, 1, self.python, name="x1-monthly")  # monthly snapshots
        folder = self.work / "history" / f"k{k}"
        landing, new_file = landings.history(base, k, folder / "landing")
        say(f"[snapshot K={k}] full lvsocial run on the first {k} snapshots (not timed) ...")
        setup, _ = self.lvsocial_run(landing, folder / "base")
        if not setup["ok"]:
            raise BenchError(f"the full run on {k} snapshots failed: {setup['error']}")
        say(f"[snapshot K={k}] set-up run: {figures_line(setup)}; now adding {new_file.name}")
        runs = []
        n = self.repeats()
        for i in range(1, n + 1):
            run_dir = folder / "run"
            shutil.rmtree(run_dir, ignore_errors=True)
            shutil.copytree(folder / "base", run_dir, symlinks=True)  # the state after the full run, each time
            (landing / "registry" / new_file.name).unlink(missing_ok=True)
            result_path = run_dir / "snapshot-result.json"
            log = run_dir / "snapshot.log"
            env = self.env(DAGSTER_HOME=run_dir / "dagster_home", LVSOCIAL_LANDING_DIR=landing,
                           LVSOCIAL_WAREHOUSE=run_dir / "warehouse" / "lvsocial.duckdb")
            m = run_measured([self.python, "-m", "bench.snapshot", str(new_file), str(result_path)], env=env,
                             cwd=REPO, log=log, timeout=self.args.timeout)
            result = json.loads(result_path.read_text(encoding="utf-8")) if result_path.exists() else {}
            ok = m.returncode == 0 and result.get("ok") is True
            run = {"ok": ok, "wall_s": result.get("run_wall_s"), "cpu_s": result.get("run_cpu_s"),
                   "peak_rss_mib": round(m.peak_between(result["run_start"], result["run_end"]) / MIB, 1)
                   if "run_start" in result else None,
                   "process": m.figures(), **{k2: v for k2, v in result.items() if k2 not in ("run_start", "run_end")}}
            if not ok:
                run["error"] = result.get("error") or f"exit {m.returncode}; log {log}:\n{tail(log)}"
            runs.append(run)
            say(f"[snapshot K={k}] run {i}/{n} (partition {result.get('partition')}): {figures_line(run)}; "
                f"whole process {m.wall_s:.1f} s" + ("" if ok else f" — FAILED: {run['error']}"))
        process = median([r["process"]["wall_s"] for r in runs if r["ok"]])
        first_tick = max((r.get("first_tick_run_requests") or 0 for r in runs), default=0)
        if first_tick > 1:
            say(f"[snapshot K={k}] note: the sensor's first tick, without a cursor, requested {first_tick} runs "
                "(every snapshot already loaded); the measured tick after it requested one")
        self.add("new register snapshot (sensor run)", f"K={k}", runs, history=k, new_file=new_file.name,
                 setup_run=setup, notes=f"+{new_file.name}: the run alone (whole process {fmt(process)} s)")
        shutil.rmtree(folder / "run", ignore_errors=True)

    def snapshot_ratio(self) -> None:
        ks = sorted(self.args.history)
        first, last = self.find("new register snapshot (sensor run)", f"K={ks[0]}"), \
            self.find("new register snapshot (sensor run)", f"K={ks[-1]}")
        if first and last and len(ks) > 1:
            value = ratio(last["median"]["wall_s"], first["median"]["wall_s"])
            last["notes"] = f"wall {ks[-1]}/{ks[0]}: {value}; " + last["notes"]
            self.report["snapshot_wall_ratio"] = {"of": f"{ks[-1]}/{ks[0]}", "ratio": value}
            self.save()

    # -- 4. definitions and UI --

    def defs(self) -> None:
        folder = fresh(self.work / "defs")
        code = ("import time; t = time.perf_counter(); from orchestration.definitions import defs; "
                "jobs = defs.get_repository_def().get_all_jobs(); "
                "print(f'{len(jobs)} jobs in {time.perf_counter() - t:.3f} s')")
        env = self.env(DAGSTER_HOME=folder / "dagster_home", LVSOCIAL_WAREHOUSE=folder / "lvsocial.duckdb")
        runs = []
        n = self.repeats(5)
        for i in range(1, n + 1):
            log = folder / f"defs-{i}.log"
            m = run_measured([self.python, "-c", code], env=env, cwd=REPO, log=log, timeout=600)
            run = {**m.figures(), "ok": m.returncode == 0, "printed": tail(log, 1)}
            if m.returncode != 0:
                run["error"] = tail(log)
            runs.append(run)
            say(f"[defs] run {i}/{n}: {figures_line(run)} ({run['printed']})")
        self.add("Dagster definitions load", "-", runs, notes="fresh `python -c`: import orchestration.definitions, "
                 "get_all_jobs()")

    def ui(self) -> None:
        folder = fresh(self.work / "ui")
        runs = []
        n = self.repeats()
        for i in range(1, n + 1):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            log = folder / f"ui-{i}.log"
            env = self.env(DAGSTER_HOME=folder / "dagster_home")
            with open(log, "w", encoding="utf-8") as out:
                t0 = time.perf_counter()
                proc = subprocess.Popen([self.lvsocial, "ui", "--port", str(port), "--warehouse",
                                         str(folder / "lvsocial.duckdb")], cwd=REPO, env=env, stdout=out,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                        preexec_fn=default_signals)
                sampler = Sampler(proc.pid)
                sampler.start()
                run = {"ok": False, "port": port}
                try:
                    answer = self._wait_for_graphql(port, proc, timeout=600)
                    run.update(ok=True, wall_s=round(time.perf_counter() - t0, 3),
                               cpu_s=round(tree_cpu_seconds(proc.pid), 3), answer=answer)
                except BenchError as exc:
                    run["error"] = f"{exc}; log {log}:\n{tail(log)}"
                finally:
                    sampler.stop()
                    run["peak_rss_mib"] = round(sampler.peak / MIB, 1)
                    stop_group(proc, signal.SIGINT, 30.0)
                    run["processes_left_behind"] = end_leftovers(proc.pid)
            runs.append(run)
            say(f"[ui] run {i}/{n}: {figures_line(run)} to the first answer"
                + ("" if run["ok"] else f" — FAILED: {run['error']}"))
        self.add("lvsocial ui: first answer", "-", runs,
                 notes="until GraphQL lists the repository's jobs; CPU and RSS of the tree then")

    @staticmethod
    def _wait_for_graphql(port: int, proc: subprocess.Popen, timeout: float) -> str:
        """Poll the UI's GraphQL API until it lists the repository and its jobs (the code location is loaded)."""
        body = json.dumps({"query": GRAPHQL_QUERY}).encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"lvsocial ui ended with exit code {proc.returncode} before answering")
            request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    data = json.loads(response.read())
                nodes = (data.get("data") or {}).get("repositoriesOrError", {}).get("nodes") or []
                jobs = [j["name"] for n in nodes for j in n.get("jobs", [])]
                if "transform" in jobs:
                    return f"{len(nodes)} repository, {len(jobs)} jobs"
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError, OSError):
                pass
            time.sleep(0.2)
        raise BenchError(f"no answer listing the jobs from http://127.0.0.1:{port}/graphql within {timeout:.0f} s")

    # -- 5. engines --

    def engines(self, scale: int) -> None:
        from contextlib import ExitStack

        from bench.engines import postgres_server

        landing = landings.scaled(self.work, scale, self.python)
        with ExitStack() as stack:
            server = stack.enter_context(postgres_server(self.work)) if "postgres" in self.args.engines else None
            for engine in self.args.engines:
                runs = []
                n = self.repeats()
                for i in range(1, n + 1):
                    with ExitStack() as run_stack:
                        env_extra, sampler = {}, None
                        if engine == "postgres":
                            env_extra = run_stack.enter_context(server.database())
                            pid = server.server_pid()
                            if pid:
                                sampler = Sampler(pid)
                                sampler.start()
                        try:
                            run, _ = self.lvsocial_run(landing, self.work / "runs" / f"engine-{engine}-x{scale}",
                                                       target=engine, env_extra=env_extra)
                        finally:
                            if sampler is not None:
                                sampler.stop()
                        if sampler is not None:
                            run["server_peak_rss_mib"] = round(sampler.peak / MIB, 1)
                    runs.append(run)
                    server_note = f", server {fmt(run['server_peak_rss_mib'], 0)} MiB" \
                        if "server_peak_rss_mib" in run else ""
                    say(f"[engine {engine} ×{scale}] run {i}/{n}: {figures_line(run)}{server_note}"
                        + ("" if run["ok"] else f" — FAILED: {run.get('error')}"))
                server_peak = median([r.get("server_peak_rss_mib") for r in runs if r["ok"]])
                self.add(f"engine {engine}", f"x{scale}", runs, scale=scale, engine=engine,
                         server_peak_rss_mib=server_peak,
                         notes="" if server_peak is None else f"PostgreSQL server processes peak {fmt(server_peak, 0)} "
                                                              "MiB (not in the tree's RSS)")

    # -- 6. test suite --

    def suite(self) -> None:
        folder = fresh(self.work / "suite")
        log = folder / "pytest.log"
        say("[suite] python -m pytest -q (about 30 minutes) ...")
        m = run_measured([self.python, "-m", "pytest", "-q"], env=self.env(), cwd=REPO, log=log,
                         timeout=self.args.timeout)
        last = summary_line(log.read_text(encoding="utf-8", errors="replace"))
        counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|errors?|skipped)", last)}
        run = {**m.figures(), "ok": m.returncode == 0, "summary": last, **counts}
        say(f"[suite] {figures_line(run)}: {last}")
        self.add("test suite", "-", [run], notes=f"{counts.get('passed', 0)} passed"
                 + (f", {counts['failed']} failed" if counts.get("failed") else ""), passed=counts.get("passed"))

    # -- all --

    def attempt(self, label: str, fn, *args) -> None:
        try:
            fn(*args)
        except BenchError as exc:
            message = f"{label}: {exc}"
            self.errors.append(message)
            say(f"[{label}] not measured: {exc}")
            self.save()

    def run(self) -> int:
        only = self.args.only
        say(f"lvsocial benchmark — {self.report['git']['commit'] or 'no git commit'} on "
            f"{self.report['machine']['cpu_count']} CPUs ({self.report['machine']['cpu_model']}), "
            f"load {os.getloadavg()[0]:.1f}; work folder {self.work}")
        if any(p in only for p in ("defs", "ui", "snapshot")):
            from orchestration import config

            config.prepare_manifest()  # the definitions need dbt's manifest; not part of any figure
        for scale in self.args.scales:
            if "full" in only:
                self.attempt(f"full ×{scale}", self.full, scale)
            if "floor" in only:
                self.attempt(f"floor ×{scale}", self.floor, scale)
        if "snapshot" in only:
            for k in self.args.history:
                self.attempt(f"snapshot K={k}", self.snapshot, k)
            self.snapshot_ratio()
        if "defs" in only:
            self.attempt("defs", self.defs)
        if "ui" in only:
            self.attempt("ui", self.ui)
        if "engines" in only:
            for scale in self.args.scales:
                self.attempt(f"engines ×{scale}", self.engines, scale)
        if "suite" in only:
            self.attempt("suite", self.suite)
        self.save()
        print_table(self.results)
        say(f"\nresults: {self.args.out}")
        for error in self.errors:
            say(f"not measured — {error}")
        return 1 if self.errors else 0


def summary_line(pytest_output: str) -> str:
    """pytest's closing line (`12 passed, 1 skipped in 3.4s`), wherever plugins printed after it."""
    for line in reversed(pytest_output.splitlines()):
        if re.search(r"\b\d+ (passed|failed|errors?)\b.* in [\d.]+s", line):
            return line.strip(" =")
    return "(no pytest summary line)"


def print_table(results: list[dict]) -> None:
    header = ("measurement", "scale/history", "wall s", "CPU s", "peak RSS MiB", "runs", "notes")
    rows = [(r["measurement"], r["key"], fmt(r["median"]["wall_s"], 2), fmt(r["median"]["cpu_s"], 2),
             fmt(r["median"]["peak_rss_mib"], 0), f"{r['median']['runs']}/{len(r['runs'])}", r.get("notes", ""))
            for r in results]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header) - 1)]
    say("")
    for row in [header, tuple("-" * w for w in widths) + ("-----",), *rows]:
        say("  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
            + "  " + str(row[-1]))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        raise SystemExit("error: --repeats must be at least 1")
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
