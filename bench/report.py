"""The benchmark's report: small formatting helpers, the machine and git facts written beside every figure, the
row counts of a warehouse, and the closing table."""

from __future__ import annotations

import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
from pathlib import Path

from bench.landings import REPO

PACKAGES = ("dagster", "dagster-dbt", "dagster-webserver", "dbt-core", "dbt-duckdb", "duckdb", "great_expectations",
            "pandas")


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
    """Rows of every table of the counted schemas (bench.compiled.COUNTED_SCHEMAS) of a warehouse, read-only."""
    import duckdb

    from bench.compiled import count_rows as counted

    con = duckdb.connect(str(db), read_only=True)
    try:
        return counted(con)
    finally:
        con.close()


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


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


