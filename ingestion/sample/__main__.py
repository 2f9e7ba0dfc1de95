"""Regenerate the shipped sample landing folder: `python -m ingestion.sample [--out DIR] [--seed N]`.

Deterministic: the same seed writes byte-identical files, so the committed sample can be checked against it."""

import argparse
import shutil
from pathlib import Path

from ingestion.landing import DEFAULT_LANDING
from ingestion.sample.other_sources import write_other_sources
from ingestion.sample.registry_sample import write_register


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.sample", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_LANDING, help="landing folder to (re)write")
    parser.add_argument("--seed", type=int, default=20120102)
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    written = {**{f"registry/{k}": v for k, v in write_register(args.out, args.seed).items()},
               **write_other_sources(args.out, args.seed)}
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {len(written)} files, {sum(written.values()):,} rows, {size / 1e6:.1f} MB into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
