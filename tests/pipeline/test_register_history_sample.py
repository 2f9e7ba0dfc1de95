"""The sample register has a true history: a record keeps its service type and its place through the 2016→2017
format switch and the 2021 reform, so type counts and units' services move there as in any year, and the events
between snapshots (renames, moves, capacity changes) happen at plausible yearly rates."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ingestion.sample.registry_files import json_records, legacy_rows
from ingestion.sample.registry_model import SNAPSHOT_YEARS, in_shares
from ingestion.sample.registry_sample import RegisterSample
from ingestion.sample.registry_services import GROUP_COUNTS_2012, code_counts_2012, report_groups
from ingestion.sample.scaled import ScaledRegister, monthly_dates

SEED = 20120102
SWITCH = ("2016-01-02", "2017-01-02")
REFORM = ("2021-01-02", "2022-01-02")
JSON_SNAPSHOTS = [f"{year}-01-02" for year in range(2017, 2027)]
MAX_MOVE = 0.15  # the largest share a type with at least MIN_COUNT records may move between two snapshots
MIN_COUNT = 10



# --- the generator ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> RegisterSample:
    return RegisterSample(SEED).build()


def test_the_2012_counts_split_over_codes_keep_the_group_totals():
    counts, groups = code_counts_2012(), report_groups()
    totals = {group: sum(n for code, n in counts.items() if groups[code] == group) for group in GROUP_COUNTS_2012}
    assert totals == GROUP_COUNTS_2012
    assert all(n > 0 for n in counts.values())
    assert counts["day_care_centre"] > counts["day_centre"] > counts["support_centre"]


def test_registrations_follow_the_shares_without_runs_of_chance():
    counts = {"big": 90, "small": 10}
    drawn = [next(spread) for spread in [in_shares(counts)] for _ in range(100)]
    assert drawn.count("small") == 10
    assert all(drawn[i:i + 10].count("small") <= 2 for i in range(91))


def test_a_record_keeps_its_code_and_no_two_records_share_unit_code_and_place(sample):
    for year in SNAPSHOT_YEARS:
        on = dt.date(year, 1, 2)
        keys = [(r.unit.register_number, r.code, r.get("place", on).street) for r in sample.snapshot_records(on)]
        assert len(keys) == len(set(keys)), year
    moved = [r for u in sample.units for r in u.records if any(a == "place" for _, a, _ in r.changes)]
    assert moved and all(r.get("place", d).address_code != r.place.address_code
                         for r in moved for d, a, _ in r.changes if a == "place")


def test_scaled_months_show_each_event_from_its_day(sample):
    """The scaled writer caches a record's text; a rename, move, capacity change or rewording in between must show
    in the next month's snapshot exactly as the sample's own writer would write it that day."""
    register = ScaledRegister(SEED, 1)
    months = monthly_dates(dt.date(2015, 6, 2), dt.date(2016, 3, 2)) + monthly_dates(dt.date(2019, 1, 2),
                                                                                     dt.date(2019, 12, 2))
    for on in months:
        if on.year < 2017:
            assert list(register.legacy_rows(on)) == legacy_rows(sample, on), on
        else:
            written = [json.loads(t) for t in register.json_texts(on)]
            assert written == json_records(sample, on), on
    events = [d for u in sample.units for r in u.records for d, *_ in r.changes + u.renames
              if months[0] < d < months[-1]]
    assert len(events) > 50


# --- the marts of the sample run -------------------------------------------------------------------------------

# One row per register record and snapshot, with what the raw file wrote beside its canonical service code.
RECORDS = """
    select f.snapshot_date, f.register_number, s.service_code, f.capacity, r.provider_name, r.address_code
    from marts.fct_provider_services f
    join marts.dim_service s using (service_key)
    join raw.registry_provider_services r on r._source_file = f.source_file and r._source_row = f.source_row
"""


def _records_by_code(sample_run, before: str, after: str) -> dict[str, tuple[int, int]]:
    return {code: (a, b) for code, a, b in sample_run.query(f"""
        select s.service_code,
               count(*) filter (where f.snapshot_date = date '{before}'),
               count(*) filter (where f.snapshot_date = date '{after}')
        from marts.fct_provider_services f join marts.dim_service s using (service_key)
        where f.snapshot_date in (date '{before}', date '{after}') group by 1""")}


@pytest.mark.parametrize("before, after", [SWITCH, REFORM], ids=["format_switch", "reform"])
def test_no_service_type_jumps(sample_run, before, after):
    counts = _records_by_code(sample_run, before, after)
    assert sum(a for a, _ in counts.values()) > 900 and "unmapped" not in counts
    jumps = {code: (a, b) for code, (a, b) in counts.items()
             if a >= MIN_COUNT and abs(b - a) > MAX_MOVE * a}
    assert not jumps, f"records per service type {before} → {after}: {jumps}"
    assert all(b > 0 for a, b in counts.values() if a >= MIN_COUNT)


def _units_whose_services_change(sample_run, before: str, after: str) -> tuple[int, int]:
    return sample_run.query(f"""
        with sets as (
            select f.snapshot_date, f.register_number, list(distinct s.service_code order by s.service_code) as codes
            from marts.fct_provider_services f join marts.dim_service s using (service_key)
            where f.snapshot_date in (date '{before}', date '{after}') group by 1, 2)
        select count(*) filter (where a.codes <> b.codes), count(*)
        from sets a join sets b on b.register_number = a.register_number
        where a.snapshot_date = date '{before}' and b.snapshot_date = date '{after}'""")[0]


def test_units_keep_their_services_through_the_switch(sample_run):
    changed, units = _units_whose_services_change(sample_run, *SWITCH)
    normal = max(_units_whose_services_change(sample_run, a, b)[0]
                 for a, b in zip(JSON_SNAPSHOTS, JSON_SNAPSHOTS[1:], strict=False))
    assert units > 600
    assert changed <= max(normal, 0.02 * units), (changed, units, normal)


def test_address_codes_name_places(sample_run):
    """`VZDKods` is a code of the place: two places of one unit have two codes, a code names one address."""
    mismatched = sample_run.scalar("""
        select count(*) from (
            select _snapshot_date, register_number from raw.registry_provider_services
            where source_format = 'json' and address_code is not null
            group by 1, 2 having count(distinct address_code) <> count(distinct address))""")
    assert mismatched == 0
    assert sample_run.scalar("""
        select count(*) from (
            select register_number from raw.registry_provider_services
            where _snapshot_date = date '2022-01-02' group by 1 having count(distinct address_code) > 1)""") >= 20
    shared = sample_run.scalar("""
        select count(*) from (
            select _snapshot_date, address_code from raw.registry_provider_services where source_format = 'json'
            group by 1, 2 having count(distinct regexp_replace(address, ', [^,]+, LV-\\d{4}$', '')) > 1)""")
    assert shared == 0


def _yearly_rates(sample_run) -> dict[str, float]:
    """Share of units renamed, and of records (unit × service, one record of it in both snapshots) moved to another
    address code or with another capacity, per pair of consecutive JSON snapshots, averaged."""
    pairs = list(zip(JSON_SNAPSHOTS, JSON_SNAPSHOTS[1:], strict=False))
    rates = {"renamed": [], "moved": [], "capacity_changed": []}
    for before, after in pairs:
        renamed, units = sample_run.query(f"""
            with names as (select distinct snapshot_date, register_number, provider_name from ({RECORDS}))
            select count(*) filter (where a.provider_name <> b.provider_name), count(*)
            from names a join names b using (register_number)
            where a.snapshot_date = date '{before}' and b.snapshot_date = date '{after}'""")[0]
        moved, resized, records = sample_run.query(f"""
            with single as (
                select * from ({RECORDS}) qualify count(*) over (
                    partition by snapshot_date, register_number, service_code) = 1)
            select count(*) filter (where a.address_code <> b.address_code),
                   count(*) filter (where a.capacity <> b.capacity), count(*)
            from single a join single b using (register_number, service_code)
            where a.snapshot_date = date '{before}' and b.snapshot_date = date '{after}'""")[0]
        rates["renamed"].append(renamed / units)
        rates["moved"].append(moved / records)
        rates["capacity_changed"].append(resized / records)
    return {kind: sum(values) / len(values) for kind, values in rates.items()}


def test_events_happen_at_plausible_yearly_rates(sample_run):
    rates = _yearly_rates(sample_run)
    assert 0.005 <= rates["renamed"] <= 0.03, rates
    assert 0.003 <= rates["moved"] <= 0.02, rates
    assert 0.02 <= rates["capacity_changed"] <= 0.06, rates


@pytest.mark.parametrize("before, after", [SWITCH, REFORM], ids=["format_switch", "reform"])
def test_record_keys_carry_over(sample_run, before, after):
    """At least 90 % of the records of the snapshot before keep their key in the snapshot after: the format switch
    and the reform break no record's identity (the rest are the year's real removals and changes of service)."""
    kept, total = sample_run.query(f"""
        select count(b.record_key), count(*)
        from (select record_key from marts.fct_provider_services where snapshot_date = '{before}') as a
        left join (select record_key from marts.fct_provider_services where snapshot_date = '{after}') as b
            using (record_key)""")[0]
    assert kept >= 0.9 * total, (kept, total)


@pytest.mark.parametrize("after", [SWITCH[1], REFORM[1]], ids=["format_switch", "reform"])
def test_no_burst_of_changes(sample_run, after):
    """Registered + removed at the switch and the reform stay below the continuity check's 10 %."""
    from orchestration.defs.register_history import BURST_SHARE

    turnover, previous = sample_run.query(f"""
        select (select count(*) from marts.fct_register_changes
                where snapshot_date = '{after}' and change_type in ('registered', 'removed')),
               (select count(*) from marts.fct_provider_services
                where snapshot_date = (select max(snapshot_date) from marts.fct_provider_services
                                       where snapshot_date < '{after}'))""")[0]
    assert 0 < turnover <= BURST_SHARE * previous, (turnover, previous)


def test_registrations_by_year_give_the_seed_figures(sample_run):
    """The seed presentation: 449 records new in 2010–2011 (233 and 216), as many as in 2005–2009."""
    years = dict(sample_run.query("""
        select registration_year, sum(registrations) from reporting.rpt_registrations_by_year
        where registration_year between 2005 and 2011 group by 1"""))
    assert (years[2010], years[2011]) == (233, 216)
    assert abs(sum(years[y] for y in range(2005, 2010)) - 449) <= 0.05 * 449
