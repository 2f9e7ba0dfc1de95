"""The `lvsocial` command (`run`, `fetch`, `ui`, `daemon`, `rejected`, `prepare`; parsing.py lists them). `run_job` in
run.py runs one job in this process on a Dagster instance, for the benchmark and tests as for `lvsocial run`."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """The console entry point (`[project.scripts]` in pyproject.toml)."""
    from orchestration.cli.parsing import build_parser

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`lvsocial rejected | head`): not an error. Point stdout at /dev/null so that
        # Python's flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
