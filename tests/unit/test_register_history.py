"""The register's history on a purpose-made landing: a legacy CSV export, two JSON snapshots and a post-reform JSON
snapshot, loaded by the real register reader into a throwaway DuckDB file and built by dbt. Records that are only
reworded, re-addressed, re-cased or renamed by the reform keep their key and make no change; one move, one
renaming, one capacity change, one stop, one removal and one registration make exactly one change each."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion import registry
from orchestration.sources import all_sources

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")

LEGACY_HEADER = ["Reģ. Nr.", "Sniedzēja nosaukums", "Reģistrācijas kods", "Juridiskais statuss", "Pakalpojums",
                 "Pakalpojuma sniegšanas adrese", "Pašvaldība", "Klientu grupas", "Vietu skaits", "Statuss",
                 "Reģistrēts", "Izslēgts"]


def unit(number, name, service, address, *, code=None, capacity=20, status="Sniedz", legal="Biedrība") -> dict:
    """One record in the JSON open-data shape."""
    item = {"PakalpojumaSniedzejaRegistracijasNumurs": number, "PakalpojumaSniedzejaNosaukums": name,
            "RegistracijasNumurs": f"4000800{number}", "JuridiskaisStatuss": legal, "Statuss": status,
            "SniedzamaPakalpojumaNosaukums": service, "PlanotaisKlientuSkaits": capacity,
            "RegistresanasDatums": "01.02.2012", "FaktiskaAdrese": {"Adrese": address}}
    if code:
        item["FaktiskaAdrese"]["VZDKods"] = code
    return item


# 2016, legacy: street only, the municipality in its own column, legacy wording and status.
LEGACY = [
    ["101", "Biedrība “Saulstari”", "40008101", "Biedrība", "dienas centrs", "Skolas iela 1", "Ikšķiles novads",
     "", "20", "sniedz pakalpojumus", "01.02.2012", ""],
    ["102", "SIA “Rūpes”", "40008102", "SIA", "aprūpe mājās", "Brīvības iela 5", "Rīga", "", "20",
     "sniedz pakalpojumus", "01.02.2012", ""],
    ["103", "Biedrība “Cerība”", "40008103", "Biedrība", "patversme", "Parka iela 2", "Cēsu novads", "", "20",
     "sniedz pakalpojumus", "01.02.2012", ""],
    ["104", "Biedrība “Ozoli”", "40008104", "Biedrība", "krīzes centrs", "“Ozoli”, Salas pag.", "Salas novads", "",
     "20", "sniedz pakalpojumus", "01.02.2012", ""],
    ["105", "SIA “Gaisma”", "40008105", "SIA", "grupu dzīvoklis", "Liepu iela 3", "Siguldas novads", "", "20",
     "sniedz pakalpojumus", "01.02.2012", ""],
    ["106", "Biedrība “Sirds”", "40008106", "Biedrība", "naktspatversme", "Raiņa iela 4", "Ogres novads", "", "20",
     "sniedz pakalpojumus", "01.02.2012", ""],
    ["107", "Biedrība “Mājas”", "40008107", "Biedrība", "pusceļa māja", "Pils iela 8", "Valmiera", "", "20",
     "sniedz pakalpojumus", "01.02.2012", ""],
    ["109", "SIA “Palīdzīga roka”", "40008109", "SIA", "aprūpe mājās", "Dārza iela 1", "Bauskas novads", "", "20",
     "sniedz pakalpojumus", "01.02.2012", ""],
    ["109", "SIA “Palīdzīga roka”", "40008109", "SIA", "sociālā aprūpe mājās", "Dārza iela 2", "Bauskas novads",
     "", "20", "sniedz pakalpojumus", "01.02.2012", ""],
]

# 2017, the first JSON snapshot: other wording, full addresses with municipality and postcode, a register number
# sent as a string, a name re-cased with other quotes.
JSON_2017 = [
    unit(101, "Biedrība “Saulstari”", "cits: Dienas centrs", "Skolas iela 1, Ikšķiles nov., LV-5052", code="1011"),
    unit("102", "SIA “Rūpes”", "Aprūpe mājās", "Brīvības iela 5, Rīga, LV-1010", code="1021"),
    unit(103, "Biedrība “Cerība”", "Patversme", "Parka iela 2, Cēsu nov., LV-4101", code="1031"),
    unit(104, 'BIEDRĪBA "OZOLI"', "Krīzes centrs", "„Ozoli”, Salas pag., Salas nov., LV-5230", code="1041"),
    unit(105, "SIA “Gaisma”", "Grupu dzīvoklis", "Liepu iela 3, Siguldas nov., LV-2150", code="1051"),
    unit(106, "Biedrība “Sirds”", "Naktspatversme", "Raiņa iela 4, Ogres nov., LV-5001", code="1061"),
    unit(107, "Biedrība “Mājas”", "Pusceļa māja", "Pils iela 8, Valmiera, LV-4201", code="1071"),
    unit(109, "SIA “Palīdzīga roka”", "Aprūpe mājās", "Dārza iela 1, Bauskas nov., LV-3901", code="1091"),
    unit(109, "SIA “Palīdzīga roka”", "aprūpe mājās", "Dārza iela 2, Bauskas nov., LV-3901", code="1092"),
]


def json_2018() -> list[dict]:
    """2018: the six real events, and a postcode and a wording that change without meaning anything."""
    return [
        unit(101, "Biedrība “Saulstari”", "dienas centrs", "Skolas iela 1, Ikšķiles nov., LV-5052", code="1011"),
        unit(102, "SIA “Rūpes”", "Aprūpe mājās", "Brīvības iela 5, Rīga, LV-1011", code="1021"),
        unit(103, "Biedrība “Cerība”", "Patversme", "Rīgas iela 9, Cēsu nov., LV-4101", code="1032"),  # moved
        unit(104, "Biedrība “Liepas”", "Krīzes centrs", "„Ozoli”, Salas pag., Salas nov., LV-5230",
             code="1041"),  # renamed
        unit(105, "SIA “Gaisma”", "Grupu dzīvoklis", "Liepu iela 3, Siguldas nov., LV-2150", code="1051",
             capacity=25),  # capacity changed
        unit(106, "Biedrība “Sirds”", "Naktspatversme", "Raiņa iela 4, Ogres nov., LV-5001", code="1061",
             status="Pārtraukta darbība"),  # stopped
        # 107 removed
        unit(108, "Biedrība “Zvaigzne”", "Atbalsta centrs", "Skolas iela 7, Cēsu nov., LV-4101", code="1081",
             status="Plāno sniegt"),  # registered
        unit(109, "SIA “Palīdzīga roka”", "Aprūpe mājās", "Dārza iela 1, Bauskas nov., LV-3901", code="1091"),
        unit(109, "SIA “Palīdzīga roka”", "Aprūpe mājās", "Dārza iela 2, Bauskas nov., LV-3901", code="1092"),
    ]


# After the 2021 reform, nothing happens but the municipalities in the addresses: Ikšķiles, Salas and the old Cēsu,
# Siguldas, Ogres and Bauskas novadi are novadi of the 2021 map now.
REFORMED = {"Ikšķiles nov.": "Ogres nov.", "Salas nov.": "Jēkabpils nov."}


def json_2022() -> list[dict]:
    items = json_2018()
    for item in items:
        address = item["FaktiskaAdrese"]["Adrese"]
        for old, new in REFORMED.items():
            address = address.replace(old, new)
        item["FaktiskaAdrese"]["Adrese"] = address
    return items


def write_landing(folder: Path) -> dict[dt.date, Path]:
    folder.mkdir(parents=True)
    files = {}
    legacy = folder / "sps_registrs_2016-01-02.csv"
    with open(legacy, "w", encoding="cp1257", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(LEGACY_HEADER)
        writer.writerows(LEGACY)
    files[dt.date(2016, 1, 2)] = legacy
    for day, items in ((dt.date(2017, 1, 2), JSON_2017), (dt.date(2018, 1, 2), json_2018()),
                       (dt.date(2022, 1, 2), json_2022())):
        path = folder / f"pakalpojumusniedzejudati_{day:%Y%m%d}.json"
        path.write_text(json.dumps({"data": items}, ensure_ascii=False), encoding="utf-8")
        files[day] = path
    return files


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """The purpose-made snapshots in raw (the real reader) and the register models built on them by dbt."""
    root = tmp_path_factory.mktemp("register_history")
    warehouse = root / "warehouse.duckdb"
    files = write_landing(root / "registry")
    with duckdb.connect(str(warehouse)) as con:
        for source in all_sources():  # every raw table the staging models select from (the others stay empty)
            source.ensure_tables(con)
        for day, path in files.items():
            totals, _ = registry.load_snapshot(con, day, [path])
            assert totals["rows_rejected"] == 0, (path, totals)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "LVSOCIAL_WAREHOUSE": str(warehouse)}
    proc = subprocess.run(
        [DBT, "build", "--select", "+fct_register_changes", "+rpt_registrations_by_year",
         "+rpt_register_changes_by_month", "--exclude", "resource_type:unit_test", "--indirect-selection", "cautious",
         "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        env=env, capture_output=True, text=True, timeout=600, cwd=root)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    return warehouse


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_exactly_the_real_changes(history):
    changes = query(history, """
        select cast(snapshot_date as varchar), cast(previous_snapshot_date as varchar), register_number,
               change_type, old_value, new_value
        from marts.fct_register_changes order by snapshot_date, register_number, change_type""")
    assert changes == [
        ("2018-01-02", "2017-01-02", 103, "moved", "Parka iela 2, Cēsu nov., LV-4101",
         "Rīgas iela 9, Cēsu nov., LV-4101"),
        ("2018-01-02", "2017-01-02", 104, "renamed", 'BIEDRĪBA "OZOLI"', "Biedrība “Liepas”"),
        ("2018-01-02", "2017-01-02", 105, "capacity_changed", "20", "25"),
        ("2018-01-02", "2017-01-02", 106, "status_changed", "providing", "stopped"),
        ("2018-01-02", "2017-01-02", 107, "removed", "providing", None),
        ("2018-01-02", "2017-01-02", 108, "registered", None, "planning"),
    ]


def test_every_record_keeps_its_key_across_the_switch_and_the_reform(history):
    keys = query(history, """
        select register_number, count(distinct record_key), count(*), count(distinct snapshot_date)
        from marts.fct_provider_services group by 1 order by 1""")
    by_unit = {number: (k, rows, snapshots) for number, k, rows, snapshots in keys}
    for number in (101, 102, 103, 104, 105, 106):
        assert by_unit[number] == (1, 4, 4), number  # one record in all four snapshots, moved or renamed or not
    assert by_unit[107] == (1, 2, 2)  # removed in 2018
    assert by_unit[108] == (1, 2, 2)  # registered in 2018
    assert by_unit[109] == (2, 8, 4)  # two places of one service stay two records


def test_a_change_row_traces_to_its_file_and_row(history):
    rows = query(history, """
        select c.change_type, c.source_file, c.source_row, f.record_key = c.record_key
        from marts.fct_register_changes as c
        left join marts.fct_provider_services as f
            on f.source_file = c.source_file and f.source_row = c.source_row
        order by c.change_type""")
    assert {r[0]: (r[1], r[3]) for r in rows} == {
        "capacity_changed": ("pakalpojumusniedzejudati_20180102.json", True),
        "moved": ("pakalpojumusniedzejudati_20180102.json", True),
        "registered": ("pakalpojumusniedzejudati_20180102.json", True),
        "removed": ("pakalpojumusniedzejudati_20170102.json", True),  # its last sight
        "renamed": ("pakalpojumusniedzejudati_20180102.json", True),
        "status_changed": ("pakalpojumusniedzejudati_20180102.json", True),
    }


def test_reports_count_the_changes_and_the_registrations(history):
    by_month = query(history, """
        select cast(month as varchar), change_type, sum(changes) from reporting.rpt_register_changes_by_month
        group by 1, 2 order by 1, 2""")
    assert by_month == [("2018-01-01", t, 1) for t in
                        ("capacity_changed", "moved", "registered", "removed", "renamed", "status_changed")]
    registrations = query(history, """
        select registration_year, status_at_first_sight, sum(registrations)
        from reporting.rpt_registrations_by_year group by 1, 2 order by 1, 2""")
    # Ten records, each counted once, with the status of its first snapshot (108 was first seen planning).
    assert registrations == [(2012, "planning", 1), (2012, "providing", 9)]
