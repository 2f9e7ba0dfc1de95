"""Validate a pandas frame against an expectation suite and summarise the outcome for an asset check."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class ValidationSummary:
    suite: str
    success: bool
    evaluated: int
    failed: list[dict] = field(default_factory=list)
    rows: int = 0

    def as_metadata(self) -> dict:
        return {"suite": self.suite, "rows_validated": self.rows, "expectations_evaluated": self.evaluated,
                "expectations_failed": len(self.failed),
                "failures": [f"{f['expectation']}({f.get('column') or ''}): {f['unexpected_count']} unexpected, "
                             f"e.g. {f['examples']}" for f in self.failed]}


def validate_frame(frame: pd.DataFrame, suite_name: str, build_expectations: Callable[[], list]) -> ValidationSummary:
    """Run the expectations on the frame with an ephemeral GX context (nothing written to disk)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # imported here: a 3–4 s import that definitions loading must not pay
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas(name="lvsocial")
    asset = source.add_dataframe_asset(name=suite_name)
    batch_definition = asset.add_batch_definition_whole_dataframe(name="whole_frame")
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
    for expectation in build_expectations():
        suite.add_expectation(expectation)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format="SUMMARY")
    failed = []
    for r in result.results:
        if not r.success:
            cfg = r.expectation_config
            res = r.result or {}
            failed.append({"expectation": cfg.type, "column": cfg.kwargs.get("column"),
                           "unexpected_count": res.get("unexpected_count"),
                           "examples": (res.get("partial_unexpected_list") or [])[:5]})
    return ValidationSummary(suite_name, bool(result.success), len(result.results), failed, len(frame))
