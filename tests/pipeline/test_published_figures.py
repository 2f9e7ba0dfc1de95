"""The published figures of the seed documents, reproduced from the marts built on the sample data."""

import pytest

SNAPSHOT_2012 = "date '2012-01-02'"


def test_2012_snapshot_by_status(sample_run):
    counts = dict(sample_run.query(f"select status, count(*) from marts.fct_provider_services "
                                   f"where snapshot_date = {SNAPSHOT_2012} group by 1"))
    assert sum(counts.values()) == 893
    assert counts == {"providing": 667, "planning": 183, "stopped": 43}


@pytest.mark.parametrize("year, total, providing_pct, planning_pct", [(2010, 233, 73, 27), (2011, 216, 44, 56)])
def test_2012_records_by_registration_year(sample_run, year, total, providing_pct, planning_pct):
    rows = dict(sample_run.query(f"""
        select status, count(*) from marts.fct_provider_services
        where snapshot_date = {SNAPSHOT_2012} and extract(year from registered_on) = {year} group by 1"""))
    assert sum(rows.values()) == total
    assert round(100 * rows.get("providing", 0) / total) == providing_pct
    assert round(100 * rows.get("planning", 0) / total) == planning_pct


def test_2010_2011_about_as_many_as_2005_2009(sample_run):
    recent, earlier = sample_run.query(f"""
        select count(*) filter (where extract(year from registered_on) between 2010 and 2011),
               count(*) filter (where extract(year from registered_on) between 2005 and 2009)
        from marts.fct_provider_services where snapshot_date = {SNAPSHOT_2012}""")[0]
    assert recent == 449
    assert abs(earlier - recent) / recent < 0.05


def test_2012_shares_by_type(sample_run):
    shares = dict(sample_run.query(f"""
        select s.report_group, 100.0 * count(*) / sum(count(*)) over ()
        from marts.fct_provider_services f join marts.dim_service s using (service_key)
        where f.snapshot_date = {SNAPSHOT_2012} group by 1"""))
    assert round(shares["long_term_care"]) == 25
    assert round(shares["social_rehabilitation"]) == 19
    assert round(shares["municipal_social_service"]) == 15
    assert round(shares["day_centres"]) == 12
    assert round(shares["crisis"]) == 6
    for group in ("shelter", "night_shelter", "short_term_care", "assistant", "group_home", "specialised_workshop"):
        assert 1 <= shares[group] <= 3, group
    for group in ("halfway_house", "addiction_prevention", "social_work_service", "professional_rehabilitation"):
        assert 0 < shares[group] < 1, group


def test_zemgale_providers_on_2023_01_02(sample_run):
    n = sample_run.scalar("""
        select count(distinct f.register_number) from marts.fct_provider_services f
        join marts.dim_municipality m on m.municipality_key = f.current_municipality_key
        where f.snapshot_date = date '2023-01-02' and m.planning_region = 'Zemgales plānošanas reģions'
          and f.status <> 'stopped'""")
    assert n == 125
