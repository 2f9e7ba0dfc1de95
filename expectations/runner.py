"""Validate a pandas frame against an expectation suite and summarise the outcome for an asset check; optionally
record the validation in a Great Expectations project next to the warehouse and rebuild its Data Docs site."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the caller that builds the frame; loading definitions need not
    import pandas as pd

def suite_registry() -> tuple[dict, Callable]:
    """A module's suites on tables (expectations/marts.py, reports.py): the dict `{<schema>_<table>: (query,
    build)}` and the decorator `@register(name, query)` that fills it."""
    suites: dict[str, tuple[str, Callable]] = {}

    def register(name: str, query: str):
        def add(build):
            suites[name] = (query, build)
            return build
        return add

    return suites, register


DOCS_SITE = "lvsocial"
CHUNK_ROWS_ENV = "LVSOCIAL_GX_CHUNK_ROWS"
DEFAULT_CHUNK_ROWS = 1_500_000


@dataclass
class ValidationSummary:
    suite: str
    success: bool
    evaluated: int
    failed: list[dict] = field(default_factory=list)
    rows: int = 0
    docs_index: Path | None = None
    chunks: int = 1

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
    return validate_in_chunks(lambda keys: frame, [[]], suite_name, build_expectations, docs_root)


def chunk_rows() -> int:
    """The most rows a chunked validation reads into one frame (`LVSOCIAL_GX_CHUNK_ROWS`): the frame, not the
    table, is what the pipeline's memory holds, and GX's checks need a few copies of some of its columns."""
    rows = int(os.environ.get(CHUNK_ROWS_ENV) or DEFAULT_CHUNK_ROWS)
    if rows < 1:
        raise ValueError(f"{CHUNK_ROWS_ENV} must be a positive number of rows, not {rows}")
    return rows


def plan_chunks(counts: Iterable[tuple[str | None, int]], max_rows: int) -> list[list[str | None]]:
    """Snapshot keys (ISO dates; None for rows without one, last) with their row counts, grouped in order into
    chunks of whole snapshots of at most `max_rows` rows; a larger snapshot is a chunk of its own. No rows is one
    empty chunk, so an empty table is still validated once."""
    chunks: list[list[str | None]] = []
    rows = 0
    for key, n in sorted(counts, key=lambda kn: (kn[0] is None, kn[0] or "")):
        if chunks and rows + n <= max_rows:
            chunks[-1].append(key)
            rows += n
        else:
            chunks.append([key])
            rows = n
    return chunks or [[]]


@dataclass
class _Tally:
    """One expectation's outcome over the chunks. Its success is every chunk's, except with `mostly` < 1 across
    chunks: then the unexpected share is recounted over all rows as GX decides it for one batch, against the rows
    it considered — element_count less missing_count, the nulls a column map expectation skips (not-null and
    null expectations count every row, and report no missing_count)."""

    expectation: str
    column: str | None
    mostly: float
    chunks: int = 0
    all_passed: bool = True
    recountable: bool = True
    considered: int = 0
    unexpected: int | None = None
    examples: list = field(default_factory=list)

    def add(self, result) -> None:
        res = result.result or {}
        self.chunks += 1
        self.all_passed &= bool(result.success)
        if res.get("unexpected_count") is not None:
            self.unexpected = (self.unexpected or 0) + res["unexpected_count"]
            self.examples += (res.get("partial_unexpected_list") or [])[:5 - len(self.examples)]
        if res.get("element_count") is not None:
            self.considered += res["element_count"] - (res.get("missing_count") or 0)
        elif not result.success:  # no counts to recount (the expectation raised): the failure stands
            self.recountable = False

    @property
    def success(self) -> bool:
        if self.mostly >= 1 or self.chunks == 1:
            return self.all_passed
        if not self.recountable:
            return False
        if self.considered == 0 or self.unexpected is None:
            return True  # vacuously, as in GX
        return (float(self.considered) - float(self.unexpected)) / float(self.considered) >= self.mostly


def validate_in_chunks(read_chunk: Callable[[list], pd.DataFrame], chunks: list[list],
                       suite_name: str, build_expectations: Callable[[], list],
                       docs_root: Path | None = None) -> ValidationSummary:
    """Validate the rows chunk by chunk (`read_chunk(keys)` reads one; each frame is let go before the next is
    read) and summarise them as one validation of all rows: a table of 18 M rows never sits in one frame. Exact
    only if no expectation compares rows of different chunks: the chunks are whole snapshots and every
    uniqueness key of the suite lies within one snapshot (it has the snapshot date, or a source file, which
    belongs to one snapshot).

    With `docs_root`, every chunk is kept as a validation result of its own, its run named after the chunk's first
    and last snapshot, all chunks at one run time: the Data Docs index lists one row per chunk, each page with that
    chunk's counts and its own success (a chunk may fail a `mostly` the whole passes). They are rendered together
    once at the end, so the index, which reads every stored result, is rebuilt once rather than per chunk (6 small
    chunks: 0.4 s against 1.5 s). One chunk is one validation, as before."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

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
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=suite_name, validation_definitions=[definition], result_format="SUMMARY"))
    run_time = dt.datetime.now(dt.UTC)
    tallies: list[_Tally] = []
    result_ids = []
    rows = 0
    for keys in chunks:
        frame = read_chunk(keys)
        rows += len(frame)
        run_name = _chunk_name(keys) if len(chunks) > 1 else None
        try:
            run = checkpoint.run(batch_parameters={"dataframe": frame},
                                 run_id=RunIdentifier(run_name=run_name, run_time=run_time))
        finally:
            del frame
            _forget_batches(source)
        (result_id, result), = run.run_results.items()
        result_ids.append(result_id)
        if not tallies:
            tallies = [_Tally(r.expectation_config.type, r.expectation_config.kwargs.get("column"),
                              r.expectation_config.kwargs.get("mostly", 1.0)) for r in result.results]
        for tally, r in zip(tallies, result.results, strict=True):
            tally.add(r)
    index = None
    if docs_root is not None:
        context.build_data_docs(site_names=[DOCS_SITE], build_index=True,
                                resource_identifiers=[*result_ids, ExpectationSuiteIdentifier(name=suite_name)])
        index = docs_root / "data_docs" / "index.html"
    failed = [{"expectation": t.expectation, "column": t.column, "unexpected_count": t.unexpected,
               "examples": t.examples} for t in tallies if not t.success]
    return ValidationSummary(suite_name, not failed, len(tallies), failed, rows, index, len(chunks))


def _chunk_name(keys: list) -> str:
    """The chunk's run name, also a folder of the Data Docs: plain ASCII."""
    return str(keys[0]) if len(keys) == 1 else f"{keys[0]}_to_{keys[-1]}"
