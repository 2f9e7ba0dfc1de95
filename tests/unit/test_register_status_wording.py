"""Register status wording has one home, the seed `register_status_wording`, read by the staging model and by the
blocking Great Expectations suite on the raw register, both comparing the status folded the same way.

Bug shown here: `plano sniegt` (no diacritics) was `planning` in dbt (its macro folded diacritics) but failed the
GX check (its own list folded only case and spaces). Purpose-made register files are read by the real parser into
a throwaway DuckDB warehouse; dbt builds the seed and the staging view there, and the real suite validates raw."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from expectations import registry as registry_suite
from expectations.runner import validate_frame
from ingestion import reference, registry
from tests.unit.test_dbt_unit_tests import DbtEnv, output_tail

LEGACY_HEADER = ("Reģ. Nr.;Sniedzēja nosaukums;Reģistrācijas kods;Juridiskais statuss;Pakalpojums;"
                 "Pakalpojuma sniegšanas adrese;Pašvaldība;Klientu grupas;Vietu skaits;Statuss;Reģistrēts;Izslēgts")
LEGACY_STATUSES = ["sniedz pakalpojumus", "plano sniegt", "PĀRTRAUCIS  DARBĪBU"]  # rows 2..4 of the CSV
JSON_STATUSES = ["Sniedz", "PLĀNO  SNIEGT", " plāno sniegt ", "Pārtraukta darbība"]
UNKNOWN = "sniedza"  # a wording the register never used: its own snapshot, so the others can pass

LEGACY_SNAPSHOT, JSON_SNAPSHOT, UNKNOWN_SNAPSHOT = "2014-07-01", "2023-01-02", "2023-02-02"


def _legacy_csv(path: Path) -> Path:
    lines = [LEGACY_HEADER] + [
        f"{10 + i};Biedrība Nr. {i};4000800000{i};Biedrība;dienas centrs;Rīgas iela {i};Cēsu novads;bērni;10;"
        f"{status};01.02.2013;" for i, status in enumerate(LEGACY_STATUSES)]
    path.write_bytes("\r\n".join(lines).encode("cp1257"))
    return path


def _json(path: Path, statuses: list[str], first_number: int) -> Path:
    records = [{"PakalpojumaSniedzejaRegistracijasNumurs": first_number + i,
                "PakalpojumaSniedzejaNosaukums": f"Biedrība Nr. {i}", "RegistracijasNumurs": "40008000001",
                "JuridiskaisStatuss": "Biedrība", "Statuss": status, "SniedzamaPakalpojumaNosaukums": "dienas centrs",
                "FaktiskaAdrese": {"Adrese": f"Rīgas iela {i}, Cēsis, Cēsu nov., LV-4101"}}
               for i, status in enumerate(statuses)]
    path.write_text(json.dumps({"data": records}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DbtEnv:
    """The three snapshots in raw (real parser), the seed and the staging view built by dbt on them."""
    root = tmp_path_factory.mktemp("register_status_wording")
    env = DbtEnv(root, root / "warehouse.duckdb", root / "target", root / "logs")
    files = {LEGACY_SNAPSHOT: _legacy_csv(root / "sps_registrs_2014-07-01.csv"),
             JSON_SNAPSHOT: _json(root / "pakalpojumusniedzejudati_20230102.json", JSON_STATUSES, 100),
             UNKNOWN_SNAPSHOT: _json(root / "pakalpojumusniedzejudati_20230202.json", [UNKNOWN, "Sniedz"], 200)}
    with duckdb.connect(str(env.warehouse)) as con:
        for snapshot, path in files.items():
            totals, _ = registry.load_snapshot(con, dt.date.fromisoformat(snapshot), [path])
            assert totals["rows_rejected"] == 0
    for args in (["seed", "--select", "register_status_wording"],
                 ["run", "--select", "stg_registry__provider_services"]):
        proc = env.run(*args)
        assert proc.returncode == 0, f"dbt {' '.join(args)} failed:\n{output_tail(proc)}"
    return env


def _gx(env: DbtEnv, snapshots: list[str]):
    """The raw suite on the frame its asset check reads (the suite's own QUERY), for the given snapshots."""
    listed = ", ".join(f"date '{s}'" for s in snapshots)
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        frame = con.execute(f"select * from ({registry_suite.QUERY}) where _snapshot_date in ({listed})").df()
    return validate_frame(frame, registry_suite.SUITE, registry_suite.expectations)


def test_the_seed_is_the_suites_list() -> None:
    assert registry_suite.known_statuses() == sorted(reference.register_status_wording()) == [
        "partraucis darbibu", "partraukta darbiba", "plano sniegt", "sniedz", "sniedz pakalpojumus"]


def test_staging_status_from_the_seed(built: DbtEnv) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rows = con.execute("select cast(snapshot_date as varchar), status_as_written, status "
                           "from staging.stg_registry__provider_services order by 1, register_number").fetchall()
    assert rows == [
        (LEGACY_SNAPSHOT, "sniedz pakalpojumus", "providing"),
        (LEGACY_SNAPSHOT, "plano sniegt", "planning"),
        (LEGACY_SNAPSHOT, "PĀRTRAUCIS  DARBĪBU", "stopped"),
        (JSON_SNAPSHOT, "Sniedz", "providing"),
        (JSON_SNAPSHOT, "PLĀNO  SNIEGT", "planning"),
        (JSON_SNAPSHOT, "plāno sniegt", "planning"),  # trimmed as written
        (JSON_SNAPSHOT, "Pārtraukta darbība", "stopped"),
        (UNKNOWN_SNAPSHOT, UNKNOWN, None),
        (UNKNOWN_SNAPSHOT, "Sniedz", "providing"),
    ]


def test_gx_raw_suite_passes_every_known_wording(built: DbtEnv) -> None:
    summary = _gx(built, [LEGACY_SNAPSHOT, JSON_SNAPSHOT])
    assert (summary.success, summary.rows, summary.failed) == (True, 7, [])


def test_gx_raw_suite_fails_an_unknown_wording_naming_it(built: DbtEnv) -> None:
    summary = _gx(built, [UNKNOWN_SNAPSHOT])
    assert not summary.success
    assert [(f["expectation"], f["column"], f["unexpected_count"], f["examples"]) for f in summary.failed] == [
        ("expect_column_values_to_be_in_set", "status_folded", 1, [UNKNOWN])]
    assert "status_folded): 1 unexpected, e.g. ['sniedza']" in summary.as_metadata()["failures"]


def test_unknown_wording_warns_in_dbt(built: DbtEnv) -> None:
    """The staging model's not-null test on status is a warning: the run goes on, the record counts as unknown."""
    proc = built.run("test", "--select", "stg_registry__provider_services", "register_status_wording")
    assert proc.returncode == 0, output_tail(proc)
    results = json.loads((built.target / "run_results.json").read_text(encoding="utf-8"))["results"]
    by_test = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results}
    assert by_test["not_null_stg_registry__provider_services_status"] == ("warn", 1)
    assert {name: status for name, (status, _) in by_test.items() if status != "pass"} == {
        "not_null_stg_registry__provider_services_status": "warn"}
    assert "assert_register_status_wording_is_stored_folded" in by_test


def test_the_suites_fold_is_dbts_fold(built: DbtEnv) -> None:
    """One fold on both sides: dbt's macro `fold_lv` and the suite's query give the same folded status."""
    sql = ("select _source_file, _source_row, {{ lvsocial.fold_lv('status') }} as folded "
           "from {{ source('registry', 'registry_provider_services') }}")
    proc = built.run("compile", "--inline", sql, "--output", "json", "--quiet")
    assert proc.returncode == 0, output_tail(proc)
    compiled = json.loads(proc.stdout)["compiled"]
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        dbt_side = con.execute(f"select * from ({compiled}) order by 1, 2").fetchall()
        gx_side = con.execute(f"select _source_file, _source_row, status_folded from ({registry_suite.QUERY}) "
                              "order by 1, 2").fetchall()
    assert dbt_side == gx_side
    assert {folded for _, _, folded in gx_side} == {*reference.register_status_wording(), UNKNOWN}

