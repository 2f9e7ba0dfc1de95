"""The shared metric definitions (reporting.metric_*, docs/marts.md#metrics) agree with the report tables and with
independent SQL on the marts, on the sample run; their semantic models describe columns the tables have."""

from __future__ import annotations

import json
import math

import pytest


def by_key(rows) -> dict:
    return {tuple(r[:-1]): r[-1] for r in rows}


def test_records_and_places_add_up_to_the_regional_report(sample_run):
    metric = sample_run.query("""select snapshot_date, planning_region, sum(records), sum(records_providing),
                                        sum(places)
                                 from reporting.metric_register group by 1, 2""")
    report = sample_run.query("""select snapshot_date, planning_region, records, records_providing,
                                        coalesce(places_providing, 0)
                                 from reporting.rpt_register_by_region""")
    assert len(metric) > 50
    assert sorted(metric, key=str) == sorted(report, key=str)


def test_providers_per_municipality(sample_run):
    metric = by_key(sample_run.query("select snapshot_date, current_municipality_key, providers "
                                     "from reporting.metric_register"))
    independent = by_key(sample_run.query("""
        select snapshot_date, current_municipality_key, count(distinct register_number)
        from marts.fct_provider_services where status in ('providing', 'planning') group by 1, 2"""))
    assert {k: v for k, v in metric.items() if v} == independent
    # Units per region are not the sum over its municipalities, but never more than it.
    regional = by_key(sample_run.query("select snapshot_date, planning_region, providers_active "
                                       "from reporting.rpt_register_by_region"))
    summed = by_key(sample_run.query("select snapshot_date, planning_region, sum(providers) "
                                     "from reporting.metric_register group by 1, 2"))
    assert all(0 < regional[k] <= summed[k] for k in regional if regional[k])


def test_community_share_of_places_equals_the_by_service_report(sample_run):
    metric = by_key(sample_run.query("""
        select snapshot_date, cast(sum(community_places) as double) / sum(community_places + institutional_places)
        from reporting.metric_register group by 1"""))
    report = by_key(sample_run.query("""
        select snapshot_date, sum(case when care_setting = 'community' then places else 0 end) * 1.0
               / sum(places)
        from reporting.rpt_register_by_service
        where status = 'providing' and care_setting in ('community', 'institutional') group by 1"""))
    assert metric.keys() == report.keys() and len(metric) > 5
    for key, share in report.items():
        assert math.isclose(metric[key], float(share), rel_tol=1e-9), key
        assert 0 < share < 1
    per_row = sample_run.query("""select community_share_of_places,
                                         cast(community_places as double) / (community_places + institutional_places)
                                  from reporting.metric_register where community_places + institutional_places > 0""")
    assert all(math.isclose(a, b) for a, b in per_row)


def test_places_per_1000_inhabitants(sample_run):
    rows = sample_run.query("""
        select m.places_per_1000_inhabitants, r.places, p.population
        from reporting.metric_register as m
        join (select snapshot_date, current_municipality_key, sum(capacity) as places
              from marts.fct_provider_services where status = 'providing' group by 1, 2) as r
          on r.snapshot_date = m.snapshot_date and r.current_municipality_key = m.current_municipality_key
        join intermediate.int_population_harmonised as p
          on p.current_municipality_key = m.current_municipality_key and p.year = year(m.snapshot_date)""")
    assert len(rows) > 50
    for value, places, population in rows:
        assert math.isclose(value, 1000 * places / population, rel_tol=1e-9)


def test_places_per_1000_aged_65plus(sample_run):
    """Against the raw population-by-age file's municipality lines (2021 codes) and the fact's places."""
    rows = sample_run.query("""
        select m.places_per_1000_65plus, r.places, p.population
        from reporting.metric_register as m
        join (select snapshot_date, current_municipality_key, sum(capacity) as places
              from marts.fct_provider_services where status = 'providing' group by 1, 2) as r
          on r.snapshot_date = m.snapshot_date and r.current_municipality_key = m.current_municipality_key
        join marts.dim_municipality as d on d.municipality_key = m.current_municipality_key
        join raw.population_by_age as p
          on p.atvk_code = d.atvk_code and p.territorial_unit is null and p.age_group = '65_plus'
         and p.year = year(m.snapshot_date)""")
    assert len(rows) > 50
    for value, places, population in rows:
        assert math.isclose(value, 1000 * places / population, rel_tol=1e-9)
    assert sample_run.scalar("select count(*) from reporting.metric_register where population_65plus is not null "
                             "and places_per_1000_65plus is null and places > 0") == 0


def test_eu_planned_new_services_equal_the_esf_report(sample_run):
    metric = by_key(sample_run.query("""select current_municipality_key, sum(new_services)
                                        from reporting.metric_eu_planned_services
                                        where current_municipality_key is not null group by 1"""))
    report = by_key(sample_run.query("""select current_municipality_key, sum(planned_new)
                                        from reporting.rpt_esf_services_vs_register
                                        group by 1 having sum(planned_new) > 0"""))
    assert {k: v for k, v in metric.items() if v} == report
    # The seed presentation's round 1: 26 + 3 + 2 + 1 new services (tests/pipeline/test_esf_published_figures.py).
    assert sample_run.scalar("select sum(new_services) from reporting.metric_eu_planned_services") >= 32


def test_expenditure_per_inhabitant_equals_the_report(sample_run):
    metric = by_key(sample_run.query("select year, current_municipality_key, expenditure_per_inhabitant_eur "
                                     "from reporting.metric_municipal where executed_eur is not null"))
    report = by_key(sample_run.query("select year, current_municipality_key, executed_eur_per_capita "
                                     "from reporting.rpt_expenditure_per_capita where is_group_total"))
    assert metric.keys() == report.keys() and len(report) > 20
    for key, value in report.items():
        if value is None:
            assert metric[key] is None, key
        else:
            assert round(metric[key], 2) == pytest.approx(value, abs=0.005), key


def test_specialists_per_1000_equals_the_norm_report(sample_run):
    metric = by_key(sample_run.query("select year, current_municipality_key, specialists_per_1000 "
                                     "from reporting.metric_municipal where social_work_specialists is not null"))
    report = by_key(sample_run.query("select year, current_municipality_key, specialists_per_1000 "
                                     "from reporting.rpt_social_work_norm"))
    assert metric.keys() == report.keys() and len(report) > 20
    compared = 0
    for key, value in report.items():
        if value is not None:
            assert metric[key] == pytest.approx(value, rel=1e-9), key
            compared += 1
    assert compared > 20


def test_the_semantic_models_measure_columns_of_their_tables(sample_run):
    manifest = json.loads((sample_run.warehouse.parent / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    assert {m["name"] for m in manifest["metrics"].values()} >= {
        "records", "places", "community_share_of_places", "places_per_1000_inhabitants", "places_per_1000_65plus",
        "eu_planned_new_services",
        "expenditure_per_inhabitant", "specialists_per_1000"}
    for model in manifest["semantic_models"].values():
        table = model["node_relation"]["alias"]
        columns = {c for (c,) in sample_run.query(
            "select column_name from information_schema.columns where table_schema = 'reporting' "
            "and table_name = ?", [table])}
        assert columns, table
        for item in model["measures"] + model["dimensions"]:
            expr = item.get("expr") or item["name"]
            named = {w for w in expr.replace("(", " ").replace(")", " ").split() if w.isidentifier()}
            assert named - {"case", "when", "then", "end", "is", "not", "null"} <= columns | {"+"}, (table, expr)


def test_metricflow_answers_the_same_figures(sample_run, tmp_path):
    """MetricFlow (`mf query`) on the semantic models gives the metric tables' figures, re-aggregated nationally:
    stocks of the register at each snapshot, the municipal ratios per year. On a copy of the warehouse (dbt's
    DuckDB connection writes; the shared run's file is read by other tests)."""
    import csv
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from orchestration.config import DBT_PROJECT_DIR

    warehouse = tmp_path / "lvsocial.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)
    env = {**os.environ, "LVSOCIAL_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    mf = str(Path(sys.executable).parent / "mf")

    def mf_query(metrics: str, group_by: str) -> list[dict]:
        out = tmp_path / f"{metrics[:20]}.csv"
        proc = subprocess.run([mf, "query", "--metrics", metrics, "--group-by", group_by, "--csv", str(out)],
                              cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0 and out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
        with open(out, encoding="utf-8") as f:
            return list(csv.DictReader(f))

    rows = mf_query("records,places,community_share_of_places", "metric_time__day")
    expected = {str(d): (r, p, s) for d, r, p, s in sample_run.query("""
        select snapshot_date, sum(records), sum(places),
               cast(sum(community_places) as double) / sum(community_places + institutional_places)
        from reporting.metric_register group by 1""")}
    got = {row["metric_time__day"][:10]: row for row in rows}
    assert got.keys() == expected.keys() and len(got) > 5
    for day, (records, places, share) in expected.items():
        assert int(float(got[day]["records"])) == records and int(float(got[day]["places"])) == places, day
        assert float(got[day]["community_share_of_places"]) == pytest.approx(share, rel=1e-9), day

    rows = mf_query("specialists_per_1000,expenditure_per_inhabitant", "metric_time__year")
    expected = {str(y): (s, e) for y, s, e in sample_run.query("""
        select year,
               1000.0 * sum(social_work_specialists)
                   / sum(case when social_work_specialists is not null then population end),
               sum(executed_eur) / sum(case when executed_eur is not null then population end)
        from reporting.metric_municipal group by 1""")}
    compared = 0
    for row in rows:
        specialists, spending = expected[row["metric_time__year"][:4]]
        for value, want in ((row["specialists_per_1000"], specialists), (row["expenditure_per_inhabitant"], spending)):
            if want is None:
                assert value in ("", None), row
            else:
                assert float(value) == pytest.approx(float(want), rel=1e-9), row
                compared += 1
    assert compared > 10
