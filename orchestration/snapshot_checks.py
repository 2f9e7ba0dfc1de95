"""Great Expectations checks on the snapshot tables (the raw register, the snapshot fact), validated a few whole
snapshots at a time: at ×100 each holds about 18.7 M rows, which must never sit in one pandas frame."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from expectations.runner import ValidationSummary, chunk_rows, plan_chunks, quality_dir, validate_in_chunks
from orchestration.run_scope import scoped, within

if TYPE_CHECKING:
    from orchestration.resources import Warehouse


def validate_snapshots(warehouse: Warehouse, query: str, column: str, scope: tuple[str, str] | None,
                       suite_name: str, build, *, and_later: bool = False) -> ValidationSummary:
    """Validate the run's snapshots of `query` (see run_scope.scoped), chunked by one grouping query on the
    target; a single chunk reads the scoped query itself, as an unchunked check did."""
    query = scoped(query, column, scope, and_later=and_later)
    counts = warehouse.rows(f"select cast({column} as varchar) as snapshot_key, count(*) as n "
                            f"from ({query}) as planned group by 1")
    chunks = plan_chunks(counts, chunk_rows())

    def read(keys):
        return warehouse.frame(query if len(chunks) == 1 else within(query, column, keys))

    return validate_in_chunks(read, chunks, suite_name, build, quality_dir(Path(warehouse.path)))
