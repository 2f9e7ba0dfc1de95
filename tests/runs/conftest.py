"""Fixtures shared by the tests that make pipeline runs of their own: the one run over both bad-input corpora (the
register's and the other sources'), whose files live in different folders of one landing and do not meet."""

from __future__ import annotations

import pytest

from tests.conftest import run_pipeline


@pytest.fixture(scope="session")
def bad_input_run(tmp_path_factory):
    from tests.runs.test_bad_input_corpus import write_registry_corpus
    from tests.runs.test_bad_input_corpus_sources import write_sources_corpus

    root = tmp_path_factory.mktemp("bad_input")
    write_registry_corpus(root)  # landing/registry
    write_sources_corpus(root)  # landing/budgets, esf, reference
    return run_pipeline(root / "run", root / "landing", timeout=1200)
