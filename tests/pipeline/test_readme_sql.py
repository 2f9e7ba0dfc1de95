"""The example queries of the README's "Connect a BI tool" section run on the published copy of the sample run, as
a BI user would run them: every table they name is published, and every query returns rows."""

from __future__ import annotations

import re

import duckdb
import pytest

from tests.conftest import REPO


def readme_queries() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Connect a BI tool\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    return [q.strip() for block in blocks for q in block.split(";") if q.strip()]


def test_the_readme_has_the_example_queries():
    queries = readme_queries()
    assert len(queries) >= 7
    for table in ("rpt_register_by_region", "rpt_register_by_service", "rpt_expenditure_per_capita",
                  "rpt_social_work_norm", "rpt_esf_services_vs_register", "fct_provider_services"):
        assert any(table in q for q in queries), table


@pytest.mark.parametrize("number", range(len(readme_queries())))
def test_a_readme_query_runs_on_the_published_copy(sample_run, number):
    query = readme_queries()[number]
    with duckdb.connect(str(sample_run.warehouse.parent / "published" / "lvsocial.duckdb"), read_only=True) as con:
        tables = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        named = set(re.findall(r"\b(?:marts|reporting)\.\w+", query))
        assert not named - tables, f"the README names tables the published copy lacks: {named - tables}"
        rows = con.execute(query).fetchall()
    assert rows, f"no rows from:\n{query}"
