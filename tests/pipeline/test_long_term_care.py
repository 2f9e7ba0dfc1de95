"""Clients of long-term care by age group on the sample (issue 19 part 7): every raw row in
marts.fct_long_term_care_clients on its municipality, and reporting.rpt_long_term_care_new_clients_by_age recomputed
here by SQL of its own from the raw rows and the municipality dimension, not read back from the models that made it."""

from __future__ import annotations

import pytest

MIDPOINTS = {"18_64": 41, "65_79": 72, "80_89": 85, "90_plus": 92}

# Raw rows on the municipality version valid at the end of their year, and its current municipality's region.
RAW_PLACED = """
    select r._year as year, r.age_group_code as age_group, r.clients_year_end_count as clients_year_end,
           r.new_clients_count as new_clients, c.planning_region, v.municipality_key
    from raw.long_term_care_clients r
    join marts.dim_municipality v
      on v.atvk_code = r.atvk_code
     and make_date(r._year, 12, 31) between v.valid_from and coalesce(v.valid_to, date '9999-12-31')
    join marts.dim_municipality c on c.municipality_key = v.current_municipality_key
"""


def test_every_raw_row_is_in_the_fact_on_its_municipality(sample_run):
    raw = sample_run.query("select _source_file, _source_row, clients_year_end_count, new_clients_count "
                           "from raw.long_term_care_clients")
    fact = sample_run.query("select source_file, source_row, clients_year_end, new_clients "
                            "from marts.fct_long_term_care_clients")
    assert raw and sorted(raw) == sorted(fact)
    placed = sample_run.query(f"select year, municipality_key, age_group from ({RAW_PLACED})")
    assert sorted(placed) == sorted(sample_run.query(
        "select year, municipality_key, age_group from marts.fct_long_term_care_clients"))


def test_the_report_recomputed_from_the_raw_rows(sample_run):
    rows = sample_run.query(f"select year, planning_region, age_group, new_clients, clients_year_end "
                            f"from ({RAW_PLACED})")
    expected: dict[tuple, dict] = {}
    for year, region, group, new, stock in rows:
        e = expected.setdefault((year, region), {"new": 0, "65": 0, "80": 0, "years": 0, "stock": 0, "stock80": 0})
        new = new or 0
        e["new"] += new
        e["65"] += new if group != "18_64" else 0
        e["80"] += new if group in ("80_89", "90_plus") else 0
        e["years"] += new * MIDPOINTS[group]
        e["stock"] += stock
        e["stock80"] += stock if group in ("80_89", "90_plus") else 0
    report = {(y, r): rest for y, r, *rest in sample_run.query("""
        select year, planning_region, new_clients, new_clients_65plus, new_clients_80plus, share_new_65plus,
               share_new_80plus, mean_age_new_clients, clients_year_end, share_year_end_80plus
        from reporting.rpt_long_term_care_new_clients_by_age""")}
    assert set(report) == set(expected)
    for key, e in expected.items():
        new, n65, n80, s65, s80, mean_age, stock, stock80 = report[key]
        assert (new, n65, n80, stock) == (e["new"], e["65"], e["80"], e["stock"]), key
        assert s65 == pytest.approx(e["65"] / e["new"]) and s80 == pytest.approx(e["80"] / e["new"]), key
        assert mean_age == pytest.approx(e["years"] / e["new"]), key
        assert stock80 == pytest.approx(e["stock80"] / e["stock"]), key


def test_a_row_for_every_year_and_region_and_entrants_older_every_year(sample_run):
    years = [y for (y,) in sample_run.query("select distinct _year from raw.long_term_care_clients order by 1")]
    regions = sample_run.scalar("select count(distinct planning_region) from marts.dim_municipality "
                                "where is_current")
    assert sample_run.scalar("select count(*) from reporting.rpt_long_term_care_new_clients_by_age") == \
        len(years) * regions
    # The sample's entrants are older every year (docs/inputs.md#clients-of-long-term-care-by-age-group).
    national = sample_run.query("""
        select year, sum(new_clients_80plus) * 1.0 / sum(new_clients)
        from reporting.rpt_long_term_care_new_clients_by_age group by year order by year""")
    shares = [s for _, s in national]
    assert len(shares) == len(years) > 1 and all(a < b for a, b in zip(shares, shares[1:]))
