"""Regenerate the shipped sample landing folder: `python -m ingestion.sample [--out DIR] [--seed N]`; or write a
benchmark-sized one outside the repository: `python -m ingestion.sample --scale N [--first YYYY-MM]
[--last YYYY-MM] [--out DIR]` (N times the providers, monthly register snapshots; see ingestion/sample/scaled.py).

Deterministic: the same seed (and scale) writes byte-identical files, so the committed sample can be checked
against it."""

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from ingestion.landing import DEFAULT_LANDING, REPO_ROOT
from ingestion.sample.other_sources import write_other_sources
from ingestion.sample.registry_files import write_register
from ingestion.sample.scaled import FIRST_MONTH, LAST_MONTH, write_scaled_register
from ingestion.sources import SUBFOLDERS

LANDING_FOLDERS = set(SUBFOLDERS)


def _scale(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text}")
    return value


def _month(text: str) -> dt.date:
    """`YYYY-MM` as the register snapshot of that month (the 2nd)."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date().replace(day=2)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, not {text!r}") from None


def default_scaled_out(scale: int | str) -> Path:
    return Path(tempfile.gettempdir()) / f"lvsocial-scale-{scale}" / "landing"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.sample", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, metavar="DIR", help=f"landing folder to (re)write; default "
                        f"{DEFAULT_LANDING}, with --scale {default_scaled_out('N')}")
    parser.add_argument("--seed", type=int, default=20120102)
    parser.add_argument("--scale", type=_scale, metavar="N",
                        help="N times the providers, monthly register snapshots (benchmarks)")
    parser.add_argument("--first", type=_month, metavar="YYYY-MM",
                        help=f"first register month with --scale (default {FIRST_MONTH:%Y-%m})")
    parser.add_argument("--last", type=_month, metavar="YYYY-MM",
                        help=f"last register month with --scale (default {LAST_MONTH:%Y-%m})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.scale is None:
        if args.first or args.last:
            parser.error("--first and --last choose the months of a scaled register: they need --scale")
        out = args.out or DEFAULT_LANDING
    else:
        out = args.out or default_scaled_out(args.scale)
        if out.resolve().is_relative_to(REPO_ROOT):
            parser.error(f"--out {out} is inside the repository ({REPO_ROOT}); a scaled landing folder is too big "
                         f"to sit there: write it elsewhere, e.g. the default {default_scaled_out(args.scale)}")
        first, last = args.first or FIRST_MONTH, args.last or LAST_MONTH
        if not FIRST_MONTH <= first <= last <= LAST_MONTH:
            parser.error(f"--first and --last must be months from {FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}, "
                         f"first not after last")
    if out.exists():
        strangers = sorted(p.name for p in out.iterdir() if p.name not in LANDING_FOLDERS)
        if strangers:
            parser.error(f"refusing to replace {out}: it holds {', '.join(strangers[:5])}, which a landing folder "
                         f"does not")
        shutil.rmtree(out)
    if args.scale is None:
        register = write_register(out, args.seed)
    else:
        register = write_scaled_register(out, args.seed, args.scale, first, last)
    written = {**{f"registry/{k}": v for k, v in register.items()}, **write_other_sources(out, args.seed)}
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {len(written)} files, {sum(written.values()):,} rows, {size / 1e6:.1f} MB into {out} "
          f"in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
