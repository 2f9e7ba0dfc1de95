"""A benchmark anyone can rerun: `python -m bench` (see `bench/__main__.py` and README.md, section Benchmark).

This package imports nothing heavy at import time: `bench.floor` runs as its own measured process and must stay
DuckDB-only."""
