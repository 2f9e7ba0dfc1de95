"""Municipal money and people on the sample (issue 4): the published figures reproduced from the marts (Rīga home
care 2009–2016, Jēkabpils novads 2021–2023), lats and euro landing comparable, pre-reform municipalities summed into
today's, the wide population file allocated and harmonised, the social-work norm, and nothing lost on the way."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from tests.conftest import SAMPLE_LANDING

LVL_PER_EUR = Decimal("0.702804")


# --- published figures --------------------------------------------------------------------------------------


def test_riga_home_care_clients_2009_2016(sample_run):
    published = {2009: 3941, 2010: 4144, 2011: 4678, 2012: 5203, 2013: 5748, 2014: 6602, 2015: 7457, 2016: 8151}
    from_fact = dict(sample_run.query("""
        select f.year, sum(f.clients) from marts.fct_social_service_statistics f
        join marts.dim_municipality m using (municipality_key) join marts.dim_service s using (service_key)
        where m.name_lv = 'Rīga' and s.service_code = 'home_care' and f.year between 2009 and 2016 group by 1"""))
    assert from_fact == published
    # The BI series on today's map gives the same (Rīga has one predecessor, itself).
    from_report = dict(sample_run.query("""
        select year, home_care_clients from reporting.rpt_home_and_day_care
        where municipality_name = 'Rīga' and year between 2009 and 2016"""))
    assert from_report == published


JEKABPILS_EUR = {  # (service, provision) -> {year: EUR}
    ("home_care", "own"): {2021: 129_254, 2022: 148_923, 2023: 123_870},
    ("home_care", "purchased"): {2021: 34_327, 2022: 118_385, 2023: 234_371},
    ("ltc_institution", "purchased"): {2021: 910_030, 2022: 1_084_505, 2023: 1_231_014},
    ("crisis_centre", "not_split"): {2021: 125_621, 2022: 148_011, 2023: 200_545},
}


@pytest.mark.parametrize(("service", "provision"), sorted(JEKABPILS_EUR))
def test_jekabpils_novads_eur_2021_2023(sample_run, service, provision):
    rows = dict(sample_run.query("""
        select f.year, f.expenditure_eur from marts.fct_social_service_statistics f
        join marts.dim_municipality m using (municipality_key) join marts.dim_service s using (service_key)
        where m.name_lv = 'Jēkabpils novads' and m.atvk_code = '0031000' and s.service_code = ?
          and f.provision = ? and f.year between 2021 and 2023""", [service, provision]))
    assert rows == {year: Decimal(eur) for year, eur in JEKABPILS_EUR[(service, provision)].items()}


def test_jekabpils_home_care_own_and_purchased_kept_apart_in_the_report(sample_run):
    rows = {y: (own, purchased, total) for y, own, purchased, total in sample_run.query("""
        select year, home_care_own_eur, home_care_purchased_eur, home_care_eur from reporting.rpt_home_and_day_care
        where atvk_code = '0031000' and year between 2021 and 2023""")}
    for year in (2021, 2022, 2023):
        own, purchased = JEKABPILS_EUR[("home_care", "own")][year], JEKABPILS_EUR[("home_care", "purchased")][year]
        assert rows[year] == (own, purchased, own + purchased)
    # Before the 2017 form the split is unknown, not zero.
    assert sample_run.query("select home_care_own_eur, home_care_purchased_eur from reporting.rpt_home_and_day_care "
                            "where atvk_code = '0031000' and year = 2015") == [(None, None)]


# --- lats and euro ------------------------------------------------------------------------------------------


def test_lvl_amounts_are_converted_at_the_fixed_rate_with_the_original_beside(sample_run):
    currencies = dict(sample_run.query("select original_currency, count(distinct year) from "
                                       "marts.fct_municipal_expenditure group by 1"))
    assert currencies == {"LVL": 5, "EUR": 12}
    wrong = sample_run.scalar("""
        select count(*) from marts.fct_municipal_expenditure
        where (original_currency = 'LVL') <> (year <= 2013)
           or executed_eur <> case when original_currency = 'LVL' then round(executed_original / 0.702804, 2)
                                   else executed_original end""")
    assert wrong == 0
    lvl, eur = sample_run.query("""
        select executed_original, executed_eur from marts.fct_municipal_expenditure
        where atvk_code = '0010000' and function_code = '10.000' and year = 2013""")[0]
    assert abs(eur - lvl / LVL_PER_EUR) <= Decimal("0.005")


def test_a_2013_lvl_amount_and_a_2014_eur_amount_land_comparable(sample_run):
    rows = {(y, c): (orig, eur) for y, c, orig, eur in sample_run.query("""
        select year, original_currency, executed_original, executed_eur from marts.fct_municipal_expenditure
        where atvk_code = '0010000' and function_code = '10.000' and year in (2013, 2014)""")}
    (lvl_2013, eur_2013), (eur_orig_2014, eur_2014) = rows[(2013, "LVL")], rows[(2014, "EUR")]
    assert eur_orig_2014 == eur_2014
    assert 0.95 < eur_2014 / eur_2013 < 1.15  # one year of growth, not the 1.42 jump of mixing currencies
    assert not 0.95 < eur_2014 / lvl_2013 < 1.15
    # The country too: social protection per inhabitant moves smoothly across the changeover.
    per_capita = dict(sample_run.query("""
        select year, sum(executed_eur) / sum(population) from reporting.rpt_expenditure_per_capita
        where is_group_total and year in (2013, 2014) group by 1"""))
    assert 1.0 < per_capita[2014] / per_capita[2013] < 1.1


# --- the map: codes in their year, pre-reform municipalities summed into today's --------------------------------


def test_2021_budget_holds_both_maps_and_sums_into_todays(sample_run):
    by_version = sample_run.query("""
        select m.atvk_code, f.executed_eur from marts.fct_municipal_expenditure f
        join marts.dim_municipality m using (municipality_key)
        where f.year = 2021 and f.function_code = '10.000' and m.name_lv = 'Rīga' order by m.valid_from""")
    assert [code for code, _ in by_version] == ["0010000", "0001000"]
    report = sample_run.scalar("""
        select executed_eur from reporting.rpt_expenditure_per_capita
        where year = 2021 and atvk_code = '0001000' and function_code = '10.000'""")
    assert report == sum(eur for _, eur in by_version)
    versions = sample_run.scalar("select count(distinct municipality_key) from marts.fct_municipal_expenditure "
                                 "where year = 2021")
    assert versions == 119 + 43


def test_a_pre_reform_municipality_is_summed_into_its_successor(sample_run):
    # Ogres novads of 2021 took over Ogres, Ikšķiles, Ķeguma and Lielvārdes novads.
    predecessors = sample_run.query("""
        select m.name_lv, f.executed_eur from marts.fct_municipal_expenditure f
        join marts.dim_municipality m using (municipality_key)
        join marts.dim_municipality c on c.municipality_key = f.current_municipality_key
        where f.year = 2015 and f.function_code = '10.200' and c.atvk_code = '0040000'""")
    assert sorted(name for name, _ in predecessors) == ["Ikšķiles novads", "Lielvārdes novads", "Ogres novads",
                                                        "Ķeguma novads"]
    executed, population, per_capita, summed = sample_run.query("""
        select executed_eur, population, executed_eur_per_capita, municipalities_summed
        from reporting.rpt_expenditure_per_capita where year = 2015 and atvk_code = '0040000'
          and function_code = '10.200'""")[0]
    assert executed == sum(eur for _, eur in predecessors)
    assert summed == 4
    assert population == sum(population_in_file(2015)[f"{name} (līdz 01.07.2021.)"] for name, _ in predecessors)
    assert per_capita == pytest.approx(float(executed) / population, abs=0.005)


def test_varaklani_lies_in_madona_today(sample_run):
    current = sample_run.query("""
        select distinct c.atvk_code from marts.fct_social_work_staffing f
        join marts.dim_municipality m using (municipality_key)
        join marts.dim_municipality c on c.municipality_key = f.current_municipality_key
        where m.name_lv = 'Varakļānu novads'""")
    assert current == [("0038001",)]
    summed = dict(sample_run.query("select year, municipalities_summed from reporting.rpt_social_work_norm "
                                   "where atvk_code = '0038001' and year in (2020, 2024, 2025)"))
    assert summed == {2020: 5, 2024: 2, 2025: 1}


def test_every_fact_lies_on_the_map_of_its_year(sample_run):
    for table in ("fct_municipal_expenditure", "fct_social_service_statistics", "fct_social_work_staffing"):
        bad = sample_run.scalar(f"""
            select count(*) from marts.{table} f
            left join marts.dim_municipality m on m.municipality_key = f.municipality_key
            left join marts.dim_municipality c on c.municipality_key = f.current_municipality_key
            where m.atvk_code is distinct from f.atvk_code or not c.is_current
               or m.valid_from > make_date(f.year, 12, 31) or m.valid_to < make_date(f.year, 1, 1)""")
        assert bad == 0, table
    # Every current municipality in every year, in each report.
    for table in ("rpt_home_and_day_care", "rpt_social_work_norm"):
        assert sample_run.query(f"select count(distinct year), count(*) from reporting.{table}") == [(17, 17 * 42)]


# --- population ----------------------------------------------------------------------------------------------


def population_in_file(year: int) -> dict[str, int]:
    """The wide sample file read with plain csv: label -> inhabitants in `year` (`..` left out)."""
    with (SAMPLE_LANDING / "reference" / "iedzivotaji.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    column = rows[0].index(str(year))
    return {r[0]: int(r[column]) for r in rows[1:] if r[column] != ".."}


def test_the_wide_population_file_lands_long_and_on_the_map(sample_run):
    raw = sample_run.query("select count(*), count(population), count(distinct area_label), count(distinct year) "
                           "from raw.population")[0]
    assert raw[2:] == (163, 16) and raw[0] == 163 * 16
    assert raw[1] == sum(len(population_in_file(y)) for y in range(2010, 2026))
    # Staffing carries the population of the same municipality version: pre-reform label before 2021,
    # the LV-coded 2021 label from 2021.
    staffing = dict(sample_run.query("""
        select f.year, f.population from marts.fct_social_work_staffing f
        join marts.dim_municipality m using (municipality_key)
        where m.name_lv = 'Ogres novads' and f.year in (2019, 2022)"""))
    assert staffing == {2019: population_in_file(2019)["Ogres novads (līdz 01.07.2021.)"],
                        2022: population_in_file(2022)["LV0040000 Ogres novads"]}
    # The population file starts in 2010: 2009 has none, and says so with NULL rather than a guess.
    assert sample_run.scalar("select count(population) from marts.fct_social_work_staffing where year = 2009") == 0


def test_population_on_todays_map_takes_one_map_a_year(sample_run):
    totals = dict(sample_run.query("""
        select year, sum(population) from (select distinct year, current_municipality_key, population
                                            from reporting.rpt_social_work_norm) group by 1"""))
    for year in (2015, 2020):
        pre = population_in_file(year)
        assert totals[year] == sum(v for k, v in pre.items() if k.endswith("(līdz 01.07.2021.)"))
    # 2021 has both maps in the file; counted once, not twice.
    in_2021 = population_in_file(2021)
    assert totals[2021] == sum(v for k, v in in_2021.items() if k.startswith("LV"))


# --- the social-work norm -----------------------------------------------------------------------------------


def test_the_norm_flag(sample_run):
    inconsistent = sample_run.scalar("""
        select count(*) from marts.fct_social_work_staffing
        where meets_norm is distinct from (case when population > 0
                                           then social_work_specialists * 1000 >= population end)
           or abs(specialists_per_1000 - 1000.0 * social_work_specialists / population) > 1e-9""")
    assert inconsistent == 0
    flags = dict(sample_run.query("select meets_norm, count(*) from marts.fct_social_work_staffing "
                                  "where year = 2019 group by 1"))
    assert flags[True] > 0 and flags[False] > 0 and None not in flags
    # On today's map, the flag is computed on the summed territory; the versions of the time are counted too.
    bad = sample_run.scalar("""
        select count(*) from reporting.rpt_social_work_norm
        where meets_norm is distinct from (specialists_per_1000 >= 1)
           or municipalities_meeting_norm + municipalities_below_norm
              <> case when population is null then 0 else municipalities_summed end""")
    assert bad == 0
    summed_pass = sample_run.scalar("select count(*) from reporting.rpt_social_work_norm "
                                    "where meets_norm and municipalities_below_norm > 0")
    assert summed_pass > 0  # a territory can meet the norm while one of its former municipalities did not


# --- nothing lost, bad rows kept ----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "raw", "fact"), [
    ("budget_expenditure", "raw.budget_expenditure", "marts.fct_municipal_expenditure"),
    ("social_service_statistics", "raw.social_service_statistics", "marts.fct_social_service_statistics"),
    ("social_service_staffing", "raw.social_service_staffing", "marts.fct_social_work_staffing"),
])
def test_every_row_is_loaded_or_rejected_and_reaches_the_fact(sample_run, source, raw, fact):
    files = sample_run.query("select source_file, rows_read, rows_loaded, rows_rejected from audit.load_log "
                             "where source = ?", [source])
    assert len(files) == 17
    assert all(read == loaded + rejected for _, read, loaded, rejected in files)
    assert sample_run.scalar(f"select count(*) from {raw}") == sample_run.scalar(f"select count(*) from {fact}") \
        == sum(f[2] for f in files)
    missing = sample_run.scalar(f"select count(*) from {raw} r anti join {fact} f "
                                f"on f.source_file = r._source_file and f.source_row = r._source_row")
    assert missing == 0


def test_bad_rows_are_kept_with_reasons(sample_run):
    rows = sample_run.query("""
        select source, source_file, reason from audit.rejected_rows
        where source in ('budget_expenditure', 'social_service_statistics', 'social_service_staffing',
                         'population') order by source_file""")
    assert rows == [
        ("budget_expenditure", "pasvaldibu_izdevumi_2012.csv", "Izpilde is not a number: '12O 345,67'"),
        ("budget_expenditure", "pasvaldibu_izdevumi_2016.csv",
         "ATVK code 0999999 is in no classifier (not in seeds/municipalities.csv)"),
        ("social_service_staffing", "soc_dienesti_2023.csv",
         "ATVK code 0057000 is in no classifier (not in seeds/municipalities.csv)"),
        ("social_service_statistics", "soc_pakalpojumi_2018.csv", rows[3][2]),
    ]
    assert rows[3][2].startswith("Izdevumi is negative: '-")


def test_every_statistics_line_maps_to_a_service_and_provision(sample_run):
    assert sample_run.query("select distinct service_name_as_written from marts.fct_social_service_statistics "
                            "where not is_service_mapped") == []
    provisions = dict(sample_run.query("select provision, min(year) from marts.fct_social_service_statistics "
                                       "group by 1"))
    assert provisions == {"not_split": 2009, "own": 2017, "purchased": 2017}


# --- the run ------------------------------------------------------------------------------------------------


def test_one_ingestion_run_per_source_over_the_year_range(sample_run, monkeypatch):
    from dagster import DagsterInstance

    out = sample_run.output
    for key in ("budget_expenditure", "social_service_statistics", "social_service_staffing"):
        assert f"materialised raw/{key} (17 partitions)" in out
    assert "materialised raw/population" in out
    for table in ("fct_municipal_expenditure", "fct_social_service_statistics", "fct_social_work_staffing",
                  "rpt_expenditure_per_capita", "rpt_home_and_day_care", "rpt_social_work_norm"):
        assert f".{table} " in out, table
    monkeypatch.setenv("DAGSTER_HOME", str(sample_run.dagster_home))
    with DagsterInstance.get() as instance:
        budgets = [r for r in instance.get_runs() if r.job_name == "ingest_budgets"]
        assert len(budgets) == 1
        assert (budgets[0].tags["dagster/asset_partition_range_start"],
                budgets[0].tags["dagster/asset_partition_range_end"]) == ("2009", "2025")
