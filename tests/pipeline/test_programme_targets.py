"""Programme targets vs results on the sample (issue 19 part 8): every indicator of the raw file in
marts.fct_programme_targets, and each row of reporting.rpt_programme_targets_vs_results recomputed here by SQL of its
own on the marts — the register, the statistics or the EU projects as the unit says — with the status from the
target year against the source's latest data."""

from __future__ import annotations

import pytest

# What one unit counts, in one region and service, measured in a given year: SQL of this test's own.
ACHIEVED = {
    "providers": """select count(distinct f.register_number) from marts.fct_provider_services f
                    join marts.dim_municipality m on m.municipality_key = f.current_municipality_key
                    join marts.dim_service s on s.service_key = f.service_key
                    where f.status = 'providing' and f.snapshot_date = ? and m.planning_region = ?
                      and s.service_code = ?""",
    "places": """select coalesce(sum(f.capacity), 0) from marts.fct_provider_services f
                 join marts.dim_municipality m on m.municipality_key = f.current_municipality_key
                 join marts.dim_service s on s.service_key = f.service_key
                 where f.status = 'providing' and f.snapshot_date = ? and m.planning_region = ?
                   and s.service_code = ?""",
    "clients": """select coalesce(sum(f.clients), 0) from marts.fct_social_service_statistics f
                  join marts.dim_municipality m on m.municipality_key = f.current_municipality_key
                  join marts.dim_service s on s.service_key = f.service_key
                  where f.year = ? and m.planning_region = ? and s.service_code = ?""",
    "projects": """select count(distinct p.project_number) from marts.fct_esf_planned_services ps
                   join marts.fct_esf_projects p on p.project_number = ps.project_number
                   join marts.dim_municipality m on m.municipality_key = ps.current_municipality_key
                   join marts.dim_service s on s.service_key = ps.service_key
                   where year(p.start_date) <= ? and m.planning_region = ? and s.service_code = ?""",
}


def test_every_raw_indicator_is_in_the_fact(sample_run):
    raw = sample_run.query("select planning_region, programme, indicator, service_code, target_value, "
                           "target_year_value from raw.programme_targets")
    fact = sample_run.query("select planning_region, programme, indicator, service_code, target_value, target_year "
                            "from marts.fct_programme_targets")
    assert raw and sorted(raw) == sorted(fact)
    # The sample's Zemgale 2021–2027 priority and the targets of the 2007–2013 programmes are there.
    assert {p for (p,) in sample_run.query("select distinct priority from marts.fct_programme_targets")} >= {
        "Sociālā iekļaušana un veselības veicināšana"}
    assert sample_run.scalar("select count(*) from marts.fct_programme_targets "
                             "where period = '2007–2013' and target_year between 2013 and 2015") > 0


def _measured(sample_run, unit: str, target_year: int) -> tuple[int | None, object]:
    """(year measured, the key the ACHIEVED query takes): the target year or the latest data before it."""
    if unit in ("providers", "places"):
        first = sample_run.scalar("select min(snapshot_date) from marts.fct_provider_services "
                                  "where year(snapshot_date) = ?", [target_year])
        day = first or sample_run.scalar("select max(snapshot_date) from marts.fct_provider_services "
                                         "where year(snapshot_date) < ?", [target_year])
        return day.year, day
    if unit == "clients":
        year = sample_run.scalar("select max(year) from marts.fct_social_service_statistics where year <= ?",
                                 [target_year])
        return year, year
    latest = sample_run.scalar("select max(year(start_date)) from marts.fct_esf_projects")
    return min(target_year, latest), target_year


def test_each_target_recomputed(sample_run):
    report = sample_run.query("""
        select planning_region, service_code, unit, target_value, target_year, achieved_year, achieved, gap, status
        from reporting.rpt_programme_targets_vs_results""")
    assert len(report) == sample_run.scalar("select count(*) from marts.fct_programme_targets")
    statuses = set()
    for region, service, unit, target, target_year, achieved_year, achieved, gap, status in report:
        year, key = _measured(sample_run, unit, target_year)
        expected = sample_run.scalar(ACHIEVED[unit], [key, region, service])
        assert (achieved_year, achieved) == (year, pytest.approx(expected)), (region, service, unit, target_year)
        assert gap == pytest.approx(target - expected)
        assert status == ("not_due" if year < target_year else "met" if expected >= target else "not_met")
        statuses.add(status)
    # The sample has targets already due and one (Zemgale's 2027 day-care centres) not yet.
    assert "not_due" in statuses and statuses & {"met", "not_met"}
