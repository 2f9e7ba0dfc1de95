"""The reader of the programmes' result indicators (docs/inputs.md#programme-result-indicators) on small
purpose-made files: service types and units as written found in the seeds and coded, Latvian numbers, and every row
that cannot be trusted rejected with its reason; loading replaces the table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion import programmes
from ingestion.common import BOM, IngestionError

HEADER = ("Plānošanas reģions;Programma;Periods;Prioritāte;Rādītājs;Pakalpojuma veids;Bāzes vērtība;Bāzes gads;"
          "Mērķa vērtība;Mērķa gads;Mērvienība")
Z = "Zemgales plānošanas reģions;Zemgales programma;2021–2027;Sociālā iekļaušana un veselības veicināšana"


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(BOM + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def test_indicators_are_coded_and_bad_rows_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "programmu_rezultatu_raditaji.csv", [
        HEADER,
        f"{Z};Dienas aprūpes centri;Dienas aprūpes centrs;9;2021;14;2027;pakalpojumu sniedzēji",
        f"{Z};Klienti;APRŪPE MĀJĀS;1 450;2021;1 600,5;2024;Klientu skaits",
        f"{Z};Vietas;Grupu māja (dzīvoklis);;;40;2025;vietas",
        f"{Z};Nezināms;Masāža;1;2021;2;2024;klienti",
        f"{Z};Cita vienība;Aprūpe mājās;1;2021;2;2024;eiro",
        f"{Z};Atpakaļ;Aprūpe mājās;1;2026;2;2024;klienti",
        f"{Z};Negatīvs;Aprūpe mājās;1;2021;-2;2024;klienti",
        f"{Z};Dienas aprūpes centri;Dienas aprūpes centrs;9;2021;15;2027;sniedzēji",
        "Rīgas reģions;P;2021–2027;X;Y;Aprūpe mājās;1;2021;2;2024;klienti",
        f"{Z};Bez mērķa;Aprūpe mājās;1;2021;;2024;klienti",
        f"{Z};Gads;Aprūpe mājās;1;2021;2;24;klienti",
    ])
    pf = programmes.parse_file(path)
    rows = {r["_source_row"]: r for r in pf.rows}
    assert {n: (r["service_code"], r["unit_code"], r["baseline_value"], r["baseline_year_value"], r["target_value"],
                r["target_year_value"]) for n, r in rows.items()} == {
        2: ("day_care_centre", "providers", 9, 2021, 14, 2027),
        3: ("home_care", "clients", 1450, 2021, 1600.5, 2024),
        4: ("group_home", "places", None, None, 40, 2025)}
    reasons = {r.source_row: r.reason for r in pf.rejected}
    assert set(reasons) == set(range(5, 13))
    assert reasons[5] == "service type is none of the seed service_types: 'Masāža'"
    assert "unit is none of" in reasons[6] and "'eiro'" in reasons[6]
    assert reasons[7] == "baseline year 2026 after the target year 2024"
    assert reasons[8] == "Mērķa vērtība is negative: '-2'"
    assert reasons[9] == "duplicate of row 2 (same region, programme, indicator and service type)"
    assert reasons[10] == "planning region is none of the seed's: 'Rīgas reģions'"
    assert reasons[11] == "missing Mērķa vērtība"
    assert reasons[12] == "Mērķa gads is not a year: '24'"


def test_a_file_without_a_required_column_names_it(tmp_path: Path) -> None:
    path = write(tmp_path / "programmu_rezultatu_raditaji.csv", [HEADER.replace(";Mērvienība", ""), "x"])
    with pytest.raises(IngestionError, match=r"programmu_rezultatu_raditaji\.csv.*Mērvienība"):
        programmes.parse_file(path)


def test_loading_replaces_the_table(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema if not exists raw")
    (tmp_path / "a").mkdir()
    first = write(tmp_path / "a" / "programmu_rezultatu_raditaji.csv", [
        HEADER, f"{Z};A;Aprūpe mājās;1;2021;2;2024;klienti", f"{Z};B;Aprūpe mājās;1;2021;2;2024;klienti"])
    totals, _ = programmes.load(con, [first])
    assert (totals["rows_read"], totals["rows_loaded"]) == (2, 2)
    (tmp_path / "b").mkdir()
    second = write(tmp_path / "b" / "programmu_rezultatu_raditaji.csv", [
        HEADER, f"{Z};C;Aprūpe mājās;1;2021;2;2024;klienti"])
    programmes.load(con, [second])
    assert con.execute("select indicator from raw.programme_targets").fetchall() == [("C",)]


def test_the_suite_passes_a_loaded_file_and_fails_rows_no_parser_should_let_through(tmp_path: Path) -> None:
    """The raw suite (expectations/programmes.py) on the loaded table; then with rows a faulty parser might write
    (a target due before its baseline, a second row of one indicator, a unit not coded) put into it directly."""
    from expectations import programmes as suite
    from expectations.runner import validate_frame

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema if not exists raw")
    path = write(tmp_path / "programmu_rezultatu_raditaji.csv", [
        HEADER, f"{Z};A;Aprūpe mājās;1;2021;2;2024;klienti", f"{Z};B;Aprūpe mājās;1;2021;2;2024;klienti"])
    programmes.load(con, [path])
    assert validate_frame(con.execute(suite.QUERY).df(), suite.SUITE, suite.expectations).success
    con.execute("insert into raw.programme_targets by name select * replace (2030 as baseline_year_value) "
                "from raw.programme_targets where indicator = 'A'")
    con.execute("update raw.programme_targets set unit_code = 'klienti' where indicator = 'B'")
    summary = validate_frame(con.execute(suite.QUERY).df(), suite.SUITE, suite.expectations)
    assert {(f["column"], f["unexpected_count"]) for f in summary.failed} == {
        ("years_to_target", 1), ("unit_code", 1), (None, 2)}  # the compound key: both rows of indicator A
