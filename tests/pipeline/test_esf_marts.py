"""The EU-funds pipeline on the shipped sample: the runs, nothing lost (rows read = loaded + rejected, rows of other
measures counted), LVL converted with the original kept, project numbers parsed, beneficiary municipalities
resolved on the start date and harmonised to today, the marts' contract and the services-vs-register report."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from dagster import DagsterInstance, DagsterRunStatus

from tests.conftest import SAMPLE_LANDING

REPO = Path(__file__).resolve().parents[2]
SOCIAL_MEASURES = {"9.2.2.1", "9.2.2.2", "9.3.1.1", "4.3.5.1"}


# --- the run ----------------------------------------------------------------------------------------------------

def test_run_builds_both_facts_and_the_report(sample_run):
    out = sample_run.output
    assert "materialised raw/esf_cfla_projects (2 partitions)" in out
    assert "materialised raw/esf_apia_projects (1 partition)" in out
    assert "materialised raw/esf_apia_planned_services (1 partition)" in out
    for table in ("marts.fct_esf_projects", "marts.fct_esf_planned_services", "reporting.rpt_esf_services_vs_register"):
        assert re.search(rf"{re.escape(table)}\s+[1-9][\d,]*\n", out), table
    assert re.search(r"checks: \d+ passed, 0 failed", out)


def test_esf_ingestion_runs_are_recorded(sample_run, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(sample_run.dagster_home))
    with DagsterInstance.get() as instance:
        runs = {r.job_name: r for r in instance.get_runs()}
    assert {"ingest_esf_cfla", "ingest_esf_apia"} <= set(runs)
    cfla = runs["ingest_esf_cfla"]
    assert cfla.status == DagsterRunStatus.SUCCESS
    assert (cfla.tags["dagster/asset_partition_range_start"], cfla.tags["dagster/asset_partition_range_end"]) == (
        "2014_2020", "2021_2027")
    assert runs["ingest_esf_apia"].status == DagsterRunStatus.SUCCESS


# --- nothing lost -----------------------------------------------------------------------------------------------

def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for row in list(csv.reader(fh))[1:] if any(v.strip() for v in row))


def test_every_esf_row_is_loaded_rejected_or_counted_as_filtered(sample_run):
    log = sample_run.query("select source, source_file, rows_read, rows_loaded, rows_rejected from audit.load_log "
                           "where source like 'esf%' order by 1, 2")
    assert [(s, f) for s, f, *_ in log] == [
        ("esf_apia_planned_services", "apia_1_4_1_2_4.xlsx"), ("esf_apia_projects", "apia_1_4_1_2_4.xlsx"),
        ("esf_cfla", "es_fondu_projekti_2014_2020.csv"), ("esf_cfla", "es_fondu_projekti_2021_2027.csv")]
    for source, name, read, loaded, rejected in log:
        assert read == loaded + rejected, (source, name)
    filtered = dict(sample_run.query("select source_file, sum(rows_filtered) from audit.filtered_rows group by 1"))
    for source, name, read, *_ in log:
        if source == "esf_cfla":
            assert read + filtered[name] == data_rows(SAMPLE_LANDING / "esf" / name), name
    for raw, fact in (("esf_cfla_projects", "fct_esf_projects"), ("esf_apia_projects", "fct_esf_projects"),
                      ("esf_apia_planned_services", "fct_esf_planned_services")):
        missing = sample_run.scalar(f"""select count(*) from raw.{raw} r anti join marts.{fact} f
            on f.source_file = r._source_file and f.source_row = r._source_row""")
        assert missing == 0, raw
    assert sample_run.scalar("select count(*) from marts.fct_esf_projects") == sample_run.scalar(
        "select (select count(*) from raw.esf_cfla_projects) + (select count(*) from raw.esf_apia_projects)")


def test_only_social_measures_are_kept_and_the_others_counted_by_measure(sample_run):
    kept = {m for (m,) in sample_run.query("select distinct measure_code from marts.fct_esf_projects "
                                           "where programming_period <> '2007_2013'")}
    assert kept == SOCIAL_MEASURES
    filtered = dict(sample_run.query("select filter_value, sum(rows_filtered) from audit.filtered_rows "
                                     "where filter_column = 'measure_code' group by 1"))
    assert len(filtered) >= 10 and not set(filtered) & SOCIAL_MEASURES
    assert filtered["1.1.1.1"] == 40 + 25  # both periods' lists
    assert 20 <= sample_run.scalar("select count(*) from marts.fct_esf_projects where programming_period = "
                                   "'2014_2020'") <= 60


def test_bad_rows_are_kept_with_reasons(sample_run):
    rows = sample_run.query("select source, source_file, source_row, reason from audit.rejected_rows "
                            "where source like 'esf%' order by 1, 2, 3")
    assert [(s, f, why) for s, f, _, why in rows] == [
        ("esf_apia_planned_services", "apia_1_4_1_2_4.xlsx", "missing project number"),
        ("esf_cfla", "es_fondu_projekti_2014_2020.csv", "missing project number"),
        ("esf_cfla", "es_fondu_projekti_2014_2020.csv", "total cost is not an amount: 'nav zināms'"),
        ("esf_cfla", "es_fondu_projekti_2021_2027.csv", "start date is not a date: '31.02.2023'"),
        ("esf_cfla", "es_fondu_projekti_2021_2027.csv", "total cost is not an amount: '—'"),
    ]


# --- amounts, numbers, municipalities ---------------------------------------------------------------------------

def test_lvl_converted_at_the_fixed_rate_with_the_original_kept(sample_run):
    rows = sample_run.query("select programming_period, original_currency, total_cost_original, total_cost_eur, "
                            "eu_funding_original, eu_funding_eur from marts.fct_esf_projects")
    apia = [r for r in rows if r[0] == "2007_2013"]
    assert len(apia) == 48 and {r[1] for r in apia} == {"LVL"}
    for _, _, total_lvl, total_eur, eu_lvl, eu_eur in apia:
        assert float(total_eur) == pytest.approx(round(float(total_lvl) / 0.702804, 2), abs=0.005)
        assert float(eu_eur) == pytest.approx(round(float(eu_lvl) / 0.702804, 2), abs=0.005)
        assert total_eur > total_lvl
    cfla = [r for r in rows if r[0] != "2007_2013"]
    assert {r[1] for r in cfla} == {"EUR"}
    assert all(r[2] == r[3] and r[4] == r[5] for r in cfla)
    assert sample_run.query("select total_cost_original, total_cost_eur from marts.fct_esf_projects "
                            "where project_number = '1DP/1.4.1.2.4/09/APIA/NVA/001'") == [
        (Decimal("83034.63"), Decimal("118147.63"))]


def test_project_numbers_are_parsed(sample_run):
    apia = sample_run.query("""select distinct programme, measure_code, selection_code, selection_type, agency
        from marts.fct_esf_projects where programming_period = '2007_2013' order by 3""")
    assert apia == [("1DP", "1.4.1.2.4", "APIA", "open", "NVA"), ("1DP", "1.4.1.2.4", "IPIA", "restricted", "NVA")]
    bad = sample_run.scalar("""select count(*) from marts.fct_esf_projects
        where project_number not like measure_code || '/%'
           and project_number not like programme || '/' || measure_code || '/%'""")
    assert bad == 0
    assert sample_run.query("select call_year, serial, round from marts.fct_esf_projects "
                            "where project_number = '1DP/1.4.1.2.4/11/APIA/NVA/003'") == [(2011, "003", 2)]
    assert sample_run.scalar("select count(*) from marts.fct_esf_projects where programming_period <> '2007_2013' "
                             "and (call_year is null or selection_type is null)") == 0


def test_beneficiary_municipality_on_the_start_date_and_today(sample_run):
    bad = sample_run.query("""
        select p.project_number from marts.fct_esf_projects p
        left join marts.dim_municipality m on m.municipality_key = p.municipality_key
        left join marts.dim_municipality c on c.municipality_key = p.current_municipality_key
        where m.municipality_key is null or not (p.start_date between m.valid_from and m.valid_to)
           or not c.is_current""")
    assert bad == []
    # A 2017 project of Varakļānu novads lies today in Madonas novads (0038001).
    assert sample_run.query("""
        select m.name_lv, c.atvk_code from marts.fct_esf_projects p
        join marts.dim_municipality m on m.municipality_key = p.municipality_key
        join marts.dim_municipality c on c.municipality_key = p.current_municipality_key
        where p.beneficiary_name = 'Varakļānu novada pašvaldība'""") == [("Varakļānu novads", "0038001")]
    written = dict(sample_run.query("""
        select p.municipality_as_written, any_value(m.name_lv) from marts.fct_esf_projects p
        join marts.dim_municipality m using (municipality_key) group by 1"""))
    assert written["Jūrmalas valstspilsētas pašvaldība"] == "Jūrmala"
    assert written["Liepaja"] == "Liepāja"
    assert any(k.endswith(" nov.") for k in written)
    # The planned services carry their project's municipalities.
    assert sample_run.scalar("""select count(*) from marts.fct_esf_planned_services f
        join marts.fct_esf_projects p using (project_number)
        where f.municipality_key is distinct from p.municipality_key
           or f.current_municipality_key is distinct from p.current_municipality_key""") == 0


def test_planned_services_map_to_the_register_taxonomy(sample_run):
    assert sample_run.query("select distinct service_name_as_written from marts.fct_esf_planned_services "
                            "where not is_service_mapped") == []
    assert sample_run.scalar("select count(*) from marts.fct_esf_planned_services") == 95


# --- contract ---------------------------------------------------------------------------------------------------

CONTRACT = {
    "fct_esf_projects": {
        "project_number": "VARCHAR", "programming_period": "VARCHAR", "measure_code": "VARCHAR",
        "selection_type": "VARCHAR", "round": "INTEGER", "title": "VARCHAR", "beneficiary_name": "VARCHAR",
        "municipality_key": "VARCHAR", "current_municipality_key": "VARCHAR", "status": "VARCHAR",
        "start_date": "DATE", "end_date": "DATE", "total_cost_eur": "DECIMAL(18,2)",
        "eu_funding_eur": "DECIMAL(18,2)", "original_currency": "VARCHAR", "total_cost_original": "DECIMAL(18,2)",
        "source_file": "VARCHAR", "source_row": "INTEGER"},
    "fct_esf_planned_services": {
        "project_number": "VARCHAR", "service_key": "VARCHAR", "novelty": "VARCHAR", "is_innovative": "BOOLEAN",
        "method": "VARCHAR", "planned_clients": "INTEGER", "source_file": "VARCHAR", "source_row": "INTEGER"},
}
GRAIN = {"fct_esf_projects": ["project_number"], "fct_esf_planned_services": ["planned_service_key"]}


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_columns_types_and_grain(sample_run, table):
    actual = dict(sample_run.query("select column_name, data_type from information_schema.columns "
                                   "where table_schema = 'marts' and table_name = ?", [table]))
    for column, data_type in CONTRACT[table].items():
        assert actual.get(column) == data_type, f"marts.{table}.{column}: {actual.get(column)}, promised {data_type}"
    cols = ", ".join(GRAIN[table])
    assert sample_run.scalar(f"select count(*) from (select {cols} from marts.{table} group by {cols} "
                             f"having count(*) > 1)") == 0
    assert sample_run.scalar(f"select count(distinct source_file || ':' || source_row) from marts.{table}") == \
        sample_run.scalar(f"select count(*) from marts.{table}")


def test_enumerations(sample_run):
    assert {n for (n,) in sample_run.query("select distinct novelty from marts.fct_esf_planned_services")} == {
        "new", "improved"}
    assert {p for (p,) in sample_run.query("select distinct programming_period from marts.fct_esf_projects")} == {
        "2007_2013", "2014_2020", "2021_2027"}


def test_esf_marts_yaml_documents_every_column_with_its_type():
    project = yaml.safe_load((REPO / "dbt_project/dbt_project.yml").read_text())
    assert project["models"]["lvsocial"]["marts"]["+contract"]["enforced"] is True
    models = yaml.safe_load((REPO / "dbt_project/models/marts/esf/_esf__models.yml").read_text())["models"]
    assert {m["name"] for m in models} == {"fct_esf_projects", "fct_esf_planned_services"}
    for model in models:
        for column in model["columns"]:
            assert column.get("data_type") and column.get("description"), f"{model['name']}.{column['name']}"


# --- reporting --------------------------------------------------------------------------------------------------

def test_services_vs_register(sample_run):
    rpt = "reporting.rpt_esf_services_vs_register"
    assert sample_run.scalar(f"select count(*) from (select current_municipality_key, service_key from {rpt} "
                             "group by 1, 2 having count(*) > 1)") == 0
    # Planned services add up to the fact, all on today's map.
    assert sample_run.query(f"select sum(planned_new), sum(planned_improved) from {rpt}") == sample_run.query(
        "select count(*) filter (where novelty = 'new'), count(*) filter (where novelty = 'improved') "
        "from marts.fct_esf_planned_services")
    assert sample_run.scalar(f"""select count(*) from {rpt} r join marts.dim_municipality m
        on m.municipality_key = r.current_municipality_key where not m.is_current""") == 0
    # Providers are counted at the latest register snapshot.
    latest = sample_run.scalar("select max(snapshot_date) from marts.fct_provider_services")
    assert {d for (d,) in sample_run.query(f"select distinct register_snapshot_date from {rpt}")} == {latest}
    providing = sample_run.scalar(f"select sum(providers_providing) from {rpt}")
    assert providing == sample_run.scalar("""select count(*) from (select distinct current_municipality_key,
        service_key, register_number from marts.fct_provider_services
        where snapshot_date = (select max(snapshot_date) from marts.fct_provider_services) and status = 'providing'
          and current_municipality_key is not null)""")
    outcomes = dict(sample_run.query(f"select outcome, count(*) from {rpt} group by 1"))
    assert {"planned_and_provided", "planned_not_provided", "provided_without_esf_plan"} <= set(outcomes)
    assert sample_run.scalar(f"select count(*) from {rpt} where outcome = 'planned_and_provided' "
                             "and not (esf_projects > 0 and providers_providing > 0)") == 0
