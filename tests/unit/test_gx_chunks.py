"""Validating a snapshot table a few whole snapshots at a time (expectations/runner.py: validate_in_chunks) gives
what validating all its rows at once gives: the same successes, failures and unexpected counts, `mostly`
recounted over every chunk, and chunks that never split a snapshot."""

import gc
import weakref

import duckdb
import pandas as pd
import pytest

from expectations import registry as registry_suite
from expectations.marts import SUITES
from expectations.runner import CHUNK_ROWS_ENV, plan_chunks, validate_frame, validate_in_chunks
from orchestration.resources import Warehouse
from orchestration.snapshot_checks import validate_snapshots

FACT = "marts_fct_provider_services"
SNAPSHOTS = ["2019-01-01", "2019-07-01", "2020-01-01", "2020-07-01", "2021-01-01", "2021-07-01"]


def _fact(rows_per_snapshot: int = 40) -> pd.DataFrame:
    return pd.DataFrame([
        {"snapshot_date": snapshot, "record_key": f"r{i}", "source_file": f"register_{snapshot}.json",
         "source_row": i, "status": "providing", "provider_key": f"p{i % 7}", "service_key": f"s{i % 5}",
         "capacity": 10 + i, "register_number": 1000 + i, "municipality_key": f"m{i % 3}",
         "municipality_valid_on_date": True, "current_is_current": True, "territorial_unit_resolution": "address",
         "territorial_unit_placed_or_flagged": True}
        for snapshot in SNAPSHOTS for i in range(rows_per_snapshot)])


def _chunked(frame: pd.DataFrame, name: str, build, max_rows: int):
    chunks = plan_chunks(frame.groupby("snapshot_date").size().items(), max_rows)
    assert len(chunks) > 1
    return validate_in_chunks(lambda keys: frame[frame.snapshot_date.isin(keys)].reset_index(drop=True), chunks,
                              name, build)


def _outcome(summary) -> tuple:
    return (summary.success, summary.rows, summary.evaluated,
            [(f["expectation"], f["column"], f["unexpected_count"]) for f in summary.failed])


def _same_as_whole(frame: pd.DataFrame, name: str = FACT, build=None, max_rows: int = 100):
    build = build or SUITES[name][1]
    whole, chunked = validate_frame(frame, name, build), _chunked(frame, name, build, max_rows)
    assert _outcome(chunked) == _outcome(whole)
    for w, c in zip(whole.failed, chunked.failed, strict=True):  # few unexpected values: the same examples
        assert sorted(map(str, c["examples"])) == sorted(map(str, w["examples"]))
    return chunked


def test_good_snapshots_pass_chunked_as_whole():
    summary = _same_as_whole(_fact())
    assert summary.success and summary.rows == 240 and summary.chunks == 3


def test_failures_are_summed_over_chunks_as_in_the_whole_frame():
    frame = _fact()
    frame.loc[5, "record_key"] = "r4"  # a duplicated grain inside the first snapshot
    frame.loc[[10, 200], "status"] = ["stoped", "unknown"]  # a bad status in the first and the last chunk
    summary = _same_as_whole(frame)
    failed = {f["column"] or "grain": f for f in summary.failed}
    assert set(failed) == {"grain", "status"} and not summary.success
    assert failed["grain"]["unexpected_count"] == 2  # both rows of the duplicated key
    assert failed["status"]["unexpected_count"] == 2 and sorted(failed["status"]["examples"]) == [
        "stoped", "unknown"]


def test_mostly_is_recounted_over_all_chunks():
    """municipality_key must be present in 99 % of rows: 5 % nulls in one snapshot are under 1 % of all rows."""
    frame = _fact(rows_per_snapshot=200)  # 1,200 rows
    frame.loc[:9, "municipality_key"] = None  # 10 nulls in the first snapshot: 5 % of it
    first_alone = validate_frame(frame[frame.snapshot_date == SNAPSHOTS[0]], FACT, SUITES[FACT][1])
    assert not first_alone.success  # the chunk on its own fails ...
    assert _same_as_whole(frame, max_rows=400).success  # ... all rows pass
    frame.loc[[300, 500, 700, 900, 1100], "municipality_key"] = None  # 15 nulls: 1.25 %
    frame.loc[10:14, "municipality_key"] = None
    summary = _same_as_whole(frame, max_rows=400)
    assert [(f["column"], f["unexpected_count"]) for f in summary.failed] == [("municipality_key", 20)]


def test_mostly_counts_only_non_null_rows_where_gx_does():
    """A set expectation skips nulls: 5 bad of 50 non-null values is 10 %, though 5 % of all rows."""
    import great_expectations.expectations as gxe

    def build():
        return [gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["providing"], mostly=0.92)]

    frame = _fact(rows_per_snapshot=20)[:100].copy()
    frame.loc[::2, "status"] = None
    frame.loc[[1, 21, 41, 61, 81], "status"] = "stopped"
    summary = _same_as_whole(frame, "mostly_non_null", build, max_rows=40)
    assert [f["unexpected_count"] for f in summary.failed] == [5]
    frame.loc[[21, 41], "status"] = "providing"  # 3 of 50: 6 %
    assert _same_as_whole(frame, "mostly_non_null", build, max_rows=40).success


def test_each_chunk_frame_is_let_go_before_the_next_is_read():
    frame, alive = _fact(), []

    def read(keys):
        gc.collect()
        assert [ref() for ref in alive] == [None] * len(alive)
        chunk = frame[frame.snapshot_date.isin(keys)].copy()
        alive.append(weakref.ref(chunk))
        return chunk

    validate_in_chunks(read, [[s] for s in SNAPSHOTS], FACT, SUITES[FACT][1])
    gc.collect()
    assert len(alive) == len(SNAPSHOTS) and alive[-1]() is None


def test_chunks_are_whole_snapshots_within_the_row_cap():
    counts = [("2020-03-01", 20), ("2020-01-01", 5), ("2020-02-01", 4), ("2020-05-01", 3), ("2020-04-01", 1),
              (None, 2), ("2020-06-01", 10), ("2020-07-01", 4), ("2020-08-01", 6)]
    assert plan_chunks(counts, 10) == [["2020-01-01", "2020-02-01"], ["2020-03-01"], ["2020-04-01", "2020-05-01"],
                                       ["2020-06-01"], ["2020-07-01", "2020-08-01"], [None]]
    assert plan_chunks(counts, 1000) == [sorted(k for k, _ in counts if k) + [None]]
    assert plan_chunks([], 10) == [[]]  # an empty table is validated once


def test_a_chunked_check_reads_every_row_of_its_scope_once(tmp_path, monkeypatch):
    """validate_snapshots plans chunks with one grouping query and reads each with a range of snapshots: the
    register with a duplicated file row and a row without a snapshot date fails exactly as unchunked, in every
    run scope, and its Data Docs list every chunk."""
    path = tmp_path / "warehouse" / "lvsocial.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("""
            create table raw.registry_provider_services as
            select cast(100 + i as varchar) as register_number, 'sniedz' as status, 'aprūpe' as service_name,
                   'json' as source_format, 'file_' || cast(d as varchar) || '.json' as _source_file,
                   i as _source_row, cast(date '2020-01-01' + interval (d) month as date) as _snapshot_date,
                   cast(i as varchar) as planned_clients
            from range(6) as s(d), range(30) as r(i)""")
        con.execute("update raw.registry_provider_services set _source_row = 0 "
                    "where _snapshot_date = date '2020-03-01' and _source_row = 1")
        con.execute("update raw.registry_provider_services set _snapshot_date = null "
                    "where _snapshot_date = date '2020-05-01' and _source_row = 7")
        con.execute("update raw.registry_provider_services set status = 'nezināms' "
                    "where _source_row = 3 and _snapshot_date >= date '2020-04-01'")
    warehouse = Warehouse(path=str(path))

    def check(scope):
        summary = validate_snapshots(warehouse, registry_suite.QUERY, "_snapshot_date", scope,
                                     registry_suite.SUITE, registry_suite.expectations)
        return summary.chunks, summary.rows, set(_outcome(summary)[-1])

    monkeypatch.setenv(CHUNK_ROWS_ENV, "1000000")
    whole = check(None)
    monkeypatch.setenv(CHUNK_ROWS_ENV, "70")
    chunked = check(None)
    assert whole[0] == 1 and chunked[0] == 3  # 2020-01 … 02, 03 … 04, 05 … 06 with the row without a date
    assert chunked[1:] == whole[1:] == (180, {("expect_column_values_to_not_be_null", "_snapshot_date", 1),
                                              ("expect_column_values_to_be_in_set", "status_folded", 3),
                                              ("expect_compound_columns_to_be_unique", None, 2)})
    assert check(("2020-02-01", "2020-04-01")) == (2, 90, {
        ("expect_column_values_to_be_in_set", "status_folded", 1), ("expect_compound_columns_to_be_unique", None, 2)})
    pages = list((path.parent / "quality" / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 1 + 3 + 2


@pytest.mark.parametrize("value", ["0", "-5"])
def test_the_chunk_size_must_be_positive(monkeypatch, value):
    from expectations.runner import chunk_rows

    monkeypatch.setenv(CHUNK_ROWS_ENV, value)
    with pytest.raises(ValueError, match=CHUNK_ROWS_ENV):
        chunk_rows()
