"""The benchmark's runner: one `Bench` holds the options, the results so far (saved as JSON after every figure)
and the pipeline's measurements: full runs, the floor beside them, and one new register snapshot after a history.
The parts that start other programs (definitions, UI, engines, the suite) are in `bench.services`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench import goals, landings
from bench.goals import FLOOR, FULL, SNAPSHOT
from bench.landings import REPO, BenchError
from bench.measure import MIB, run_measured
from bench.report import count_rows, figures_line, fmt, fresh, git_info, machine, median, print_table, ratio, say, tail
from bench.services import ServiceParts
from ingestion.sources import REGISTRY


class Bench(ServiceParts):
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
                       "machine": machine(), "git": git_info(),
                       "tuning": {k: os.environ[k] for k in goals.TUNING if os.environ.get(k)}}

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
        entry = self.add(FULL, f"x{scale}", runs, notes=f"{about['register_snapshots']} snapshots, "
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
        say(f"[floor ×{scale}] the pipeline's loaders and compiled SQL on {landing}: {len(plan['seeds'])} seeds, "
            f"{len(plan['models'])} models")
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
        entry = self.add(FLOOR, f"x{scale}", runs, scale=scale, row_counts=counts,
                         floor_notes=result.get("notes") if result else None)
        if counts is not None:
            empty = [t for t, c in counts.items() if t.startswith("marts.") and c == 0]
            if empty:
                notes.append(f"EMPTY marts: {', '.join(empty)}")
            notes.append(self.compare(scale, counts))
        full, since = self.find(FULL, f"x{scale}"), ""
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
            (landing / REGISTRY.subfolder / new_file.name).unlink(missing_ok=True)
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
        self.add(SNAPSHOT, f"K={k}", runs, history=k, new_file=new_file.name,
                 setup_run=setup, notes=f"+{new_file.name}: the run alone (whole process {fmt(process)} s)")
        shutil.rmtree(folder / "run", ignore_errors=True)

    def snapshot_ratio(self) -> None:
        ks = sorted(self.args.history)
        first, last = self.find(SNAPSHOT, f"K={ks[0]}"), \
            self.find(SNAPSHOT, f"K={ks[-1]}")
        if first and last and len(ks) > 1:
            value = ratio(last["median"]["wall_s"], first["median"]["wall_s"])
            last["notes"] = f"wall {ks[-1]}/{ks[0]}: {value}; " + last["notes"]
            self.report["snapshot_wall_ratio"] = {"of": f"{ks[-1]}/{ks[0]}", "ratio": value}
            self.save()


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
        missed = False
        if getattr(self.args, "check", False):
            rows = goals.evaluate({**self.report, "results": self.results})
            self.report["goals"] = rows
            missed = goals.missed(rows)
        self.save()
        print_table(self.results)
        say(f"\nresults: {self.args.out}")
        for error in self.errors:
            say(f"not measured — {error}")
        if "goals" in self.report:
            say("")
            for line in goals.report_lines(self.report["goals"]):
                say(line)
        return 1 if self.errors or missed else 0


