"""The benchmark's parts that start other programs and measure them: loading the Dagster definitions, `lvsocial ui`
until it answers, `lvsocial run` on each engine, and the whole test suite. A mixin of `bench.runner.Bench`."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from bench import landings
from bench.goals import UI
from bench.landings import REPO, BenchError
from bench.measure import MIB, Sampler, default_signals, end_leftovers, run_measured, stop_group, tree_cpu_seconds
from bench.report import figures_line, fmt, fresh, median, say, summary_line, tail

GRAPHQL_QUERY = "{ repositoriesOrError { ... on RepositoryConnection { nodes { name jobs { name } } } } }"


class ServiceParts:

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
        self.add(UI, "-", runs,
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

