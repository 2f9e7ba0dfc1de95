"""Validate a pandas frame against an expectation suite and summarise the outcome for an asset check; optionally
record the validation in a Great Expectations project next to the warehouse and rebuild its Data Docs site."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the caller that builds the frame; loading definitions need not
    import pandas as pd

DOCS_SITE = "lvsocial"


@dataclass
class ValidationSummary:
    suite: str
    success: bool
    evaluated: int
    failed: list[dict] = field(default_factory=list)
    rows: int = 0
    docs_index: Path | None = None

    def as_metadata(self) -> dict:
        meta = {"suite": self.suite, "rows_validated": self.rows, "expectations_evaluated": self.evaluated,
                "expectations_failed": len(self.failed),
                "failures": "\n".join(f"{f['expectation']}({f.get('column') or ''}): {f['unexpected_count']} "
                                      f"unexpected, e.g. {f['examples']}" for f in self.failed) or "none"}
        if self.docs_index:
            meta["data_docs"] = str(self.docs_index)
        return meta


def quality_dir(warehouse: Path) -> Path:
    """Where the GX project and its Data Docs live: a folder next to the warehouse file."""
    return Path(warehouse).parent / "quality"


def import_gx():
    """Great Expectations, imported when first needed (3–4 s that loading the definitions must not pay), with
    its usage statistics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


_CONTEXTS: dict[Path, object] = {}


def _context(docs_root: Path | None):
    """The GX project in `docs_root` (an ephemeral one without): opened once per process and folder, as reading
    its YAML files again for every suite cost about 0.3 s a validation."""
    if docs_root is not None:
        cached = _CONTEXTS.get(Path(docs_root))
        if cached is not None and (Path(docs_root) / "great_expectations.yml").exists():
            return cached
    context = _open_context(docs_root)
    if docs_root is not None:
        _CONTEXTS[Path(docs_root)] = context
    return context


def _open_context(docs_root: Path | None):
    from great_expectations.data_context.types.base import ProgressBarsConfig

    gx = import_gx()

    _share_compiled_templates()
    if docs_root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        context = gx.get_context(mode="file", project_root_dir=str(docs_root))
        if DOCS_SITE not in context.get_site_names():
            context.add_data_docs_site(site_name=DOCS_SITE, site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(docs_root / "data_docs")},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


_TEMPLATE_CACHE: list = []  # one jinja2 bytecode cache for the process, made once GX is loaded


def _share_compiled_templates() -> None:
    """GX builds a new jinja environment for every page it renders, compiling its ~50 templates again each time:
    0.45 s of every validation's Data Docs update. Each new environment gets one shared in-memory bytecode cache
    instead. Only the cache is added; if GX's view class changes shape, the patch stands aside."""
    if _TEMPLATE_CACHE:
        return
    try:
        from great_expectations.render.view.view import DefaultJinjaView
    except ImportError:
        return
    import jinja2

    class MemoryBytecodeCache(jinja2.BytecodeCache):
        def __init__(self):
            self.codes: dict[str, bytes] = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.codes:
                bucket.bytecode_from_string(self.codes[bucket.key])

        def dump_bytecode(self, bucket):
            self.codes[bucket.key] = bucket.bytecode_to_string()

    _TEMPLATE_CACHE.append(MemoryBytecodeCache())
    original = DefaultJinjaView.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        env = getattr(self, "env", None)
        if env is not None and env.bytecode_cache is None:
            env.bytecode_cache = _TEMPLATE_CACHE[0]

    DefaultJinjaView.__init__ = __init__


def _forget_batches(source) -> None:
    """The datasource of a kept context holds the last frame it validated (its execution engine caches the
    batch): on the register at ×10, 1.9 M rows kept alive while dbt builds. Drop them once validated."""
    manager = source.get_execution_engine().batch_manager
    manager.reset_batch_cache()
    manager.batch_data_cache.clear()


def _get_or_add(getter, adder, name):
    try:
        return getter(name)
    except Exception:  # GX 1.x signals "not found" with several unrelated exception types
        return adder(name)


def validate_frame(frame: pd.DataFrame, suite_name: str, build_expectations: Callable[[], list],
                   docs_root: Path | None = None) -> ValidationSummary:
    """Run the expectations on the frame; with `docs_root`, keep the result and rebuild the Data Docs there."""
    gx = import_gx()

    context = _context(docs_root)
    source = _get_or_add(context.data_sources.get, context.data_sources.add_pandas, "lvsocial")
    asset = _get_or_add(source.get_asset, source.add_dataframe_asset, suite_name)
    batch_definition = _get_or_add(asset.get_batch_definition, asset.add_batch_definition_whole_dataframe,
                                   "whole_frame")
    suite = gx.ExpectationSuite(name=suite_name)
    for expectation in build_expectations():
        suite.add_expectation(expectation)
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite))
    actions = []
    if docs_root is not None:
        actions = [gx.checkpoint.UpdateDataDocsAction(name="update_data_docs", site_names=[DOCS_SITE])]
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=suite_name, validation_definitions=[definition], actions=actions,
                      result_format="SUMMARY"))
    try:
        run = checkpoint.run(batch_parameters={"dataframe": frame})
    finally:
        _forget_batches(source)
    result = next(iter(run.run_results.values()))
    failed = []
    for r in result.results:
        if not r.success:
            cfg = r.expectation_config
            res = r.result or {}
            failed.append({"expectation": cfg.type, "column": cfg.kwargs.get("column"),
                           "unexpected_count": res.get("unexpected_count"),
                           "examples": (res.get("partial_unexpected_list") or [])[:5]})
    index = docs_root / "data_docs" / "index.html" if docs_root is not None else None
    return ValidationSummary(suite_name, bool(result.success), len(result.results), failed, len(frame), index)
