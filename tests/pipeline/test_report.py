"""The report and the docs for BI on the sample run: the reporting models behind the charts (published figures, sums
that agree with the fact, client-group wording), the charts and their page next to the warehouse file, the charts
in the asset's metadata, the series drawn once the municipal tables exist, the coverage and programme charts with
their tables' figures against the reports they come from, Latvian letters without tofu, and dbt's docs generated
read-only without touching the project's manifest."""

from __future__ import annotations

import re
import shutil

import duckdb

from orchestration.charts import SERIES, build_report, missing_glyphs
from orchestration.config import MANIFEST

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REGISTER_CHARTS = {"long_term_care", "day_care_centres", "providers_by_status", "providers_by_type",
                   "providers_by_region", "institutional_vs_community", "register_changes"}
MUNICIPAL_CHARTS = {"home_care", "expenditure_per_capita", "social_work_norm"}
MUNICIPAL_TABLES = {"reporting.rpt_chart_home_care", "reporting.rpt_chart_long_term_care_clients",
                    "reporting.rpt_chart_expenditure_per_capita", "reporting.rpt_chart_social_work_norm"}
# Coverage by territory and the programmes (orchestration/report/coverage_charts.py): dbt models on the register,
# the population and the programmes, so the sample run has them.
COVERAGE_CHARTS = {"service_coverage_map", "rural_without_service", "care_balance", "programme_targets"}
COVERAGE_TABLES = {"reporting.rpt_chart_service_coverage_map", "reporting.rpt_chart_rural_without_service",
                   "reporting.rpt_chart_care_balance", "reporting.rpt_chart_programme_targets"}


# --- reporting models ----------------------------------------------------------------------------------------------

def test_zemgale_active_providers_on_2023_01_02(sample_run):
    n = sample_run.scalar("""
        select providers_active from reporting.rpt_register_by_region
        where snapshot_date = date '2023-01-02' and planning_region = 'Zemgales plānošanas reģions'""")
    assert n == 125  # the seed documents' figure, as test_published_figures counts it from the fact


def test_register_by_service_adds_up_to_the_fact(sample_run):
    mismatched = sample_run.query("""
        with f as (
            select snapshot_date, count(*) as records, sum(capacity) as places
            from marts.fct_provider_services group by 1),
        r as (
            select snapshot_date, sum(records) as records, sum(places) as places
            from reporting.rpt_register_by_service group by 1)
        select * from f full join r using (snapshot_date)
        where f.records is distinct from r.records or f.places is distinct from r.places""")
    assert mismatched == []
    status_2012 = dict(sample_run.query("""
        select status, sum(records) from reporting.rpt_register_by_service
        where snapshot_date = date '2012-01-02' group by 1"""))
    assert status_2012 == {"providing": 667, "planning": 183, "stopped": 43}


def test_long_term_care_institutions_and_places(sample_run):
    expected = sample_run.query("""
        select count(distinct f.register_number), sum(f.capacity)
        from marts.fct_provider_services f join marts.dim_service s using (service_key)
        where s.service_code = 'ltc_institution' and f.status = 'providing'
          and f.snapshot_date = date '2026-01-02'""")[0]
    got = sample_run.query("""
        select providers, places from reporting.rpt_register_by_service
        where service_code = 'ltc_institution' and status = 'providing' and snapshot_date = date '2026-01-02'""")
    assert got == [expected]
    assert expected[0] > 0 and expected[1] > 0


def test_day_care_centres_by_client_group_matches_old_and_new_wording(sample_run):
    # Every wording in the sample is known to the seed.
    assert sample_run.scalar("""select count(*) from reporting.rpt_day_care_centres_by_client_group
                                where client_group_code = 'unrecognised'""") == 0
    # In the legacy snapshots, centres for the visually impaired are written in old and new wording alike.
    old_and_new = sample_run.scalar("""
        select count(distinct f.register_number)
        from marts.fct_provider_services f join marts.dim_service s using (service_key)
        where s.service_code = 'day_care_centre' and f.status = 'providing' and f.snapshot_date = date '2012-01-02'
          and (lower(f.client_groups) like '%redzes invalīdi%'
               or lower(f.client_groups) like '%personas ar redzes invaliditāti%')""")
    got = sample_run.scalar("""
        select centres from reporting.rpt_day_care_centres_by_client_group
        where snapshot_date = date '2012-01-02' and status = 'providing' and client_group_code = 'disability_visual'""")
    assert old_and_new > 0 and got == old_and_new
    # Each record is in at least one group row (not_given when it names none).
    uncovered = sample_run.query("""
        with records as (
            select f.snapshot_date, count(*) as n
            from marts.fct_provider_services f join marts.dim_service s using (service_key)
            where s.service_code = 'day_care_centre' group by 1),
        grouped as (
            select snapshot_date, sum(records) as n from reporting.rpt_day_care_centres_by_client_group group by 1)
        select * from records r left join grouped g using (snapshot_date) where g.n is null or g.n < r.n""")
    assert uncovered == []


# --- the report next to the warehouse ------------------------------------------------------------------------------

def _tables(path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}


def test_the_report_is_written_next_to_the_warehouse(sample_run):
    folder = sample_run.warehouse.parent / "report"
    page = (folder / "index.html").read_text(encoding="utf-8")
    drawn = {p.stem for p in folder.glob("*.png")}
    assert drawn >= REGISTER_CHARTS | COVERAGE_CHARTS
    for png in folder.glob("*.png"):
        assert png.read_bytes()[:8] == PNG_MAGIC, png
        assert f'src="{png.name}"' in page
    assert "Register snapshots 2010-01-02 … 2026-01-02 (17)" in page
    assert "Zemgale highlighted" in page
    # Before the municipal statistics and budgets land, their series are named as not drawn, with the reason.
    present = _tables(sample_run.warehouse.parent / "published" / "lvsocial.duckdb") & MUNICIPAL_TABLES
    for table in MUNICIPAL_TABLES - present:
        assert f"<code>{table}</code>" in page, table
    if not present:
        assert "Not drawn" in page and not drawn & MUNICIPAL_CHARTS
    else:
        assert "home_care" in drawn or "reporting.rpt_chart_home_care" not in present


def test_the_run_summary_names_the_report_and_the_dbt_docs(sample_run):
    folder = sample_run.warehouse.parent
    assert f"charts (report page): {folder / 'report' / 'index.html'}" in sample_run.output
    assert f"dbt docs of the marts: {folder / 'dbt_docs' / 'static_index.html'}" in sample_run.output
    assert "materialised report/charts" in sample_run.output
    assert "materialised report/dbt_docs" in sample_run.output


def test_the_charts_are_in_the_assets_metadata(sample_run):
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(sample_run.dagster_home))
    try:
        event = instance.get_latest_materialization_event(dg.AssetKey(["report", "charts"]))
    finally:
        instance.dispose()
    metadata = event.asset_materialization.metadata
    pngs = sorted((sample_run.warehouse.parent / "report").glob("*.png"))
    markdown = metadata["charts"].value
    assert markdown.count("](data:image/png;base64,") == len(pngs) == metadata["charts_drawn"].value
    assert metadata["page"].value == str(sample_run.warehouse.parent / "report" / "index.html")
    assert "2010-01-02" in metadata["snapshots"].value


def test_latvian_letters_have_glyphs():
    assert missing_glyphs("āčēģīķļņšūž ĀČĒĢĪĶĻŅŠŪŽ Ilgstošās aprūpes; pakalpojumu sniedzēji reģionos") == set()
    assert missing_glyphs("中") == {"中"}  # the check does see a missing glyph


def _add_municipal_tables(path) -> None:
    """Small stand-ins for the municipal statistics and budgets series' tables, with the columns the charts read."""
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create or replace table reporting.rpt_chart_home_care as
            select * from (values (2019, 150, 0.3), (2020, 180, 0.4)) as t(year, clients, eur_million)""")
        con.execute("""
            create or replace table reporting.rpt_chart_long_term_care_clients as
            select 2019 + i as year, 900 + i as clients from range(2) as r(i)""")
        con.execute("""
            create or replace table reporting.rpt_chart_expenditure_per_capita as
            select * from (values (2019, 200.0), (2020, 240.0)) as t(year, eur_per_capita)""")
        con.execute("""
            create or replace table reporting.rpt_chart_social_work_norm as
            select * from (values (2019, 1, 1), (2020, 2, 0)) as t(year, meeting, below)""")


def test_every_series_is_drawn_once_the_municipal_tables_exist(sample_run, tmp_path):
    published = tmp_path / "published" / "lvsocial.duckdb"
    published.parent.mkdir()
    shutil.copy(sample_run.warehouse.parent / "published" / "lvsocial.duckdb", published)
    if not _tables(published) >= MUNICIPAL_TABLES:
        _add_municipal_tables(published)
    report = build_report(published, tmp_path / "report")
    assert {c.name for c in report.charts} == REGISTER_CHARTS | MUNICIPAL_CHARTS | COVERAGE_CHARTS
    assert len(SERIES) == len(report.charts)
    assert report.missing == []
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "Not drawn" not in page and 'src="home_care.png"' in page
    assert "statistics years" in page
    home = next(c for c in report.charts if c.name == "home_care")
    assert re.search(r"\d{4}: [\d ]+ recipients, EUR [\d.,]+ million", home.caption)


# --- the coverage and programme charts ---------------------------------------------------------------------------

def test_the_coverage_charts_are_drawn_and_legible(sample_run):
    from PIL import Image

    folder = sample_run.warehouse.parent / "report"
    page = (folder / "index.html").read_text(encoding="utf-8")
    for name in COVERAGE_CHARTS:
        png = folder / f"{name}.png"
        assert png.stat().st_size > 20_000, name  # a chart, not an empty figure
        with Image.open(png) as image:
            width, height = image.size
            colours = len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])
        assert width >= 800 and height >= 400 and colours > 50, (name, width, height, colours)
        assert f'<figure id="{name}">' in page
    assert "A tile map, not a boundary map" in page  # the map says what it is
    for table in COVERAGE_TABLES:
        assert f"<code>{table}</code>" not in page  # none of them listed as not drawn


def test_the_coverage_map_is_rpt_service_coverage_on_the_tiles(sample_run):
    latest = sample_run.scalar("select max(snapshot_date) from reporting.rpt_service_coverage")
    mismatched = sample_run.query("""
        with c as (
            select c.*, m.atvk_code, m.is_border as border
            from reporting.rpt_service_coverage c
            join marts.dim_municipality m on m.municipality_key = c.current_municipality_key
            where c.snapshot_date = ? and c.service_group in ('home_care', 'day_centres'))
        select * from c full join reporting.rpt_chart_service_coverage_map t
            using (current_municipality_key, service_group)
        left join reference.municipality_tiles s on s.atvk_code = c.atvk_code
        where t.snapshot_date is distinct from c.snapshot_date
           or t.places_per_1000_65plus is distinct from c.places_per_1000_65plus
           or t.places is distinct from c.places or t.is_border is distinct from c.border
           or t.tile_column is distinct from s.tile_column or t.tile_row is distinct from s.tile_row""", [latest])
    assert mismatched == []
    per_group = dict(sample_run.query("""select service_group, count(distinct current_municipality_key)
                                         from reporting.rpt_chart_service_coverage_map group by 1"""))
    assert per_group == {"home_care": 42, "day_centres": 42}
    assert sample_run.scalar("""select count(*) from reporting.rpt_chart_service_coverage_map
                                where places_per_1000_65plus > 0 and is_border""") > 0


def test_the_rural_chart_sums_rpt_service_coverage_per_region(sample_run):
    expected = sample_run.query("""
        select planning_region, service_group, sum(rural_population_without_service), sum(population)
        from reporting.rpt_service_coverage
        where snapshot_date = (select max(snapshot_date) from reporting.rpt_service_coverage)
          and service_group in ('home_care', 'day_centres')
        group by 1, 2 order by 1, 2""")
    got = sample_run.query("""
        select planning_region, service_group, rural_population_without_service, population
        from reporting.rpt_chart_rural_without_service order by 1, 2""")
    assert got == expected
    assert len(got) == 10 and all(rural > 0 for _, _, rural, _ in got)  # five regions × two groups
    shares = sample_run.query("""select rural_population_without_service, population, share_of_population_percent
                                 from reporting.rpt_chart_rural_without_service""")
    assert all(abs(share - 100 * rural / pop) < 0.05 for rural, pop, share in shares)


def test_the_care_balance_chart_sums_the_regions_per_year(sample_run):
    expected = sample_run.query("""
        select year, sum(institutional_places), sum(community_places), sum(institutional_clients),
               sum(community_clients)
        from reporting.rpt_care_balance where register_snapshot_date is not null group by 1 order by 1""")
    got = sample_run.query("""
        select year, institutional_places, community_places, institutional_clients, community_clients
        from reporting.rpt_chart_care_balance where institutional_places is not null order by 1""")
    assert got == expected and len(got) == 17  # one year per January snapshot, 2010–2026
    ratios = sample_run.query("""select institutional_places, community_places, places_ratio
                                 from reporting.rpt_chart_care_balance where places_ratio is not null""")
    assert ratios and all(abs(ratio - inst / comm) < 0.0005 for inst, comm, ratio in ratios)
    # a year the statistics give but the register does not (2009 in the sample) has clients and no places
    assert sample_run.query("""select count(*) from reporting.rpt_chart_care_balance
                               where institutional_places is null and institutional_clients is null""") == [(0,)]


def test_the_targets_chart_is_rpt_programme_targets_vs_results(sample_run, tmp_path):
    mismatched = sample_run.query("""
        select * from reporting.rpt_programme_targets_vs_results r
        full join reporting.rpt_chart_programme_targets c using (target_key)
        where c.target_value is distinct from r.target_value or c.achieved is distinct from r.achieved
           or c.status is distinct from r.status
           or abs(c.achieved_percent - 100 * r.achieved / r.target_value) > 0.05""")
    assert mismatched == []
    statuses = dict(sample_run.query("select status, count(*) from reporting.rpt_chart_programme_targets group by 1"))
    report = build_report(sample_run.warehouse.parent / "published" / "lvsocial.duckdb", tmp_path / "report")
    caption = next(c for c in report.charts if c.name == "programme_targets").caption
    total = sum(statuses.values())
    assert f"{statuses.get('met', 0)} of {total} met, {statuses.get('not_met', 0)} not met" in caption


def test_the_coverage_series_without_their_tables_are_listed_as_not_drawn(sample_run, tmp_path):
    published = tmp_path / "published" / "lvsocial.duckdb"
    published.parent.mkdir()
    shutil.copy(sample_run.warehouse.parent / "published" / "lvsocial.duckdb", published)
    with duckdb.connect(str(published)) as con:
        con.execute("drop table reporting.rpt_chart_care_balance")
        con.execute("delete from reporting.rpt_chart_service_coverage_map")
    report = build_report(published, tmp_path / "report")
    drawn = {c.name for c in report.charts}
    assert "care_balance" not in drawn and "service_coverage_map" not in drawn
    assert {"rural_without_service", "programme_targets"} <= drawn
    reasons = "\n".join(m.reason for m in report.missing)
    assert "needs `reporting.rpt_chart_care_balance`" in reasons
    assert "`reporting.rpt_chart_service_coverage_map` has no rows" in reasons


def test_a_rebuilt_report_replaces_the_old_one(sample_run, tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "stale_chart.png").write_bytes(PNG_MAGIC)
    build_report(sample_run.warehouse.parent / "published" / "lvsocial.duckdb", folder)
    assert not (folder / "stale_chart.png").exists()
    assert not list(tmp_path.glob(".report*"))  # no staging or old folders left behind


# --- dbt docs ------------------------------------------------------------------------------------------------------

def test_dbt_docs_are_next_to_the_warehouse(sample_run):
    import json

    folder = sample_run.warehouse.parent / "dbt_docs"
    assert {p.name for p in folder.iterdir()} >= {"static_index.html", "index.html", "manifest.json", "catalog.json"}
    catalog = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    for model in ("fct_provider_services", "rpt_register_by_region", "rpt_day_care_centres_by_client_group"):
        node = catalog["nodes"][f"model.lvsocial.{model}"]
        assert node["columns"], model  # columns and types read from the warehouse
    static = (folder / "static_index.html").read_text(encoding="utf-8")
    assert "rpt_register_by_service" in static  # manifest and catalog are inside: it opens from disk


def test_dbt_docs_generate_reads_only_and_leaves_the_project_target_alone(sample_run, tmp_path):
    from orchestration.dbt_docs import generate_dbt_docs

    warehouse = tmp_path / "lvsocial.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)
    target = MANIFEST.parent
    before = {p.name: p.stat().st_mtime_ns for p in target.iterdir() if p.is_file()}
    # A reader holding the file open: dbt could not open it for writing, so this passes only if it reads only.
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        docs = generate_dbt_docs(warehouse)
        assert reader.execute("select count(*) from marts.fct_provider_services").fetchone()[0] > 0
    after = {p.name: p.stat().st_mtime_ns for p in target.iterdir() if p.is_file()}
    assert after == before
    assert docs.folder == tmp_path / "dbt_docs" and docs.static_index.exists()
    assert docs.models >= 20 and docs.catalogued >= docs.models


def test_the_report_assets_follow_the_published_copy():
    import dagster as dg

    from orchestration.defs.publish import PUBLISHED
    from orchestration.defs.report import DBT_DOCS, REPORT, dbt_docs, report_charts

    assert report_charts.asset_deps[REPORT] == {PUBLISHED}
    assert dbt_docs.asset_deps[DBT_DOCS] == {PUBLISHED}
    assert report_charts.specs_by_key[REPORT].group_name == "report"
    # dbt docs opens the warehouse file: never beside a writer (the pool); the charts read only the published copy.
    assert dbt_docs.op.pool == "warehouse"
    assert isinstance(report_charts, dg.AssetsDefinition) and isinstance(dbt_docs, dg.AssetsDefinition)
