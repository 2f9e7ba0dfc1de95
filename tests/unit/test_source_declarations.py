"""The one declaration per source (ingestion/sources.py): each source's file names give back their partition, the
shipped sample's files are all claimed by a source, and the Dagster jobs are built from the declarations."""

from __future__ import annotations

import datetime as dt

from ingestion import landing
from ingestion.sources import REGISTRY, SOURCES, WHOLE_KEY, of_job
from orchestration.sources import all_sources


def test_a_partitions_file_name_gives_back_its_partition() -> None:
    for source in SOURCES.values():
        if source is REGISTRY:
            on = dt.date(2015, 1, 2)
            assert source.partition_of(source.file_name(on, 0, ext=".gz")) == "2015-01-02"
            assert source.partition_of(source.file_name(on, 1, ext="xlsx")) == "2015-01-02"
            assert source.partition_of(source.file_name(dt.date(2015, 2, 2), 1, ext="csv.gz")) == "2015-02-02"
            assert source.partition_of("sps_registrs_2015-02-30.csv") is None  # no such day
            continue
        for key in source.partitions:
            assert source.partition_of(source.file_name(key)) == key, (source.name, key)
    assert SOURCES["budget_expenditure"].partition_of("pasvaldibu_izdevumi_1999.csv") is None  # before the map
    assert SOURCES["population"].partition_of("iedzivotaji.csv") == WHOLE_KEY


def test_the_sample_is_all_claimed_and_out_of_range_names_say_why(tmp_path) -> None:
    found = landing.scan(landing.DEFAULT_LANDING)
    assert found.ignored == [] and found.absent_sources() == []
    assert set(found.files) == set(SOURCES)
    (tmp_path / "budgets").mkdir()
    (tmp_path / "budgets" / "soc_dienesti_1999.csv").write_text("x", encoding="utf-8")
    [(path, reason)] = landing.scan(tmp_path).ignored_with_reasons()
    assert path.name == "soc_dienesti_1999.csv"
    assert reason == "named like a social_service_staffing file, but 1999 is none of its partitions (2009 … 2035)"


def test_every_source_has_one_ingestion_job_and_audit_sources_are_unique() -> None:
    jobs = {job.name: job for job in all_sources()}
    assert sorted(jobs) == sorted({s.job for s in SOURCES.values()})
    for name, job in jobs.items():
        assert [s.name for s in job.sources] == [s.name for s in of_job(name)]
        tables = {key.path[-1] for key in job.asset_keys}
        assert tables == {t.name for s in job.sources for t in s.tables}
    audit = [t.audit_source for s in SOURCES.values() for t in s.tables]
    assert len(audit) == len(set(audit))
