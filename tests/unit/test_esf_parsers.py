"""The EU-funds readers (docs/inputs.md#eu-funds-cfla-lists, docs/inputs.md#eu-funds-apia-workbook), each quirk shown
with a small purpose-made file in pytest's tmp_path: both CFLA column-name variants, decimal commas, both date forms,
project numbers, the measure filter and its counts, an unknown column, a missing column, the APIA workbook's two
sheets in LVL, and rejected rows with their reasons."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from openpyxl import Workbook

from ingestion import esf
from ingestion.common import IngestionError

OLD = {  # 2014–2020 column names
    "number": "ProjektaNumurs", "title": "ProjektaNosaukums", "status": "ProjektaStatuss", "fund": "Fonds",
    "total": "ProjektaKopejasIzmaksas", "eu": "ProjektamPieskirtaisESFonduLidzfinansejums",
    "start": "ProjektaIeviesanasSakumaDatums", "end": "ProjektaIeviesanasBeiguDatums", "target": "ProjektaMerkaGrupa",
    "applicant": "IesniedzejaNosaukums", "reg": "IesniedzejaRegNo"}
NEW = {**OLD, "fund": "EsFonds", "total": "KopejaisFinansejums", "eu": "EsFonduLidzfinansejums",
       "start": "SakumaDatums", "end": "BeiguDatums", "target": "MerkaGrupa"}


def project(**overrides) -> dict:
    row = {"number": "9.2.2.1/15/I/001", "title": "Sabiedrībā balstītu sociālo pakalpojumu attīstība Ogres novadā",
           "status": "Pabeigts", "fund": "ESF", "total": "1234567,89", "eu": "1049382,71", "start": "03.03.2015",
           "end": "2019-09-12", "target": "Personas ar invaliditāti", "applicant": "Ogres novada pašvaldība",
           "reg": "90000024455"}
    row.update(overrides)
    return row


def write_cfla(path: Path, rows: list[dict], names: dict = OLD, drop: tuple[str, ...] = (),
               extra: dict[str, str] | None = None) -> Path:
    keys = [k for k in names if k not in drop]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=",", lineterminator="\n")  # quotes "1234,56" as CFLA does
    writer.writerow([names[k] for k in keys] + list(extra or {}))
    for row in rows:
        writer.writerow([row[k] for k in keys] + list((extra or {}).values()))
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def rejected_by_row(pf) -> dict[int, str]:
    return {r.source_row: r.reason for r in pf.rejected}


# --- CFLA: column variants, numbers, dates ---------------------------------------------------------------------

@pytest.mark.parametrize("names,period", [(OLD, "2014_2020"), (NEW, "2021_2027")])
def test_cfla_column_variants_map_to_one_schema(tmp_path: Path, names: dict, period: str) -> None:
    pf = esf.parse_cfla(write_cfla(tmp_path / f"es_fondu_projekti_{period}.csv", [project()], names))
    assert pf.rejected == [] and pf.warnings == []
    row = pf.rows[0]
    assert {k: row[k] for k in ("project_number", "title", "status", "fund", "target_group", "beneficiary_name",
                                "beneficiary_reg_no")} == {
        "project_number": "9.2.2.1/15/I/001",
        "title": "Sabiedrībā balstītu sociālo pakalpojumu attīstība Ogres novadā", "status": "Pabeigts",
        "fund": "ESF", "target_group": "Personas ar invaliditāti", "beneficiary_name": "Ogres novada pašvaldība",
        "beneficiary_reg_no": "90000024455"}
    assert row["total_cost"] == 1234567.89 and row["eu_funding"] == 1049382.71
    assert row["_source_row"] == 2
    assert set(row) == set(esf.CFLA_COLUMNS) | {"_source_row"}


def test_cfla_header_matches_whatever_the_case(tmp_path: Path) -> None:
    lower = {k: v.lower() for k, v in NEW.items()}
    pf = esf.parse_cfla(write_cfla(tmp_path / "es_fondu_projekti_2021_2027.csv", [project()], lower))
    assert len(pf.rows) == 1 and pf.rows[0]["fund"] == "ESF"


@pytest.mark.parametrize("written,value", [
    ("1234567,89", 1234567.89), ("0,5", 0.5), ("12 345,67", 12345.67), ("12\u00a0345,67", 12345.67),
    ("100", 100.0), ("", None)])
def test_cfla_amounts_with_decimal_commas(tmp_path: Path, written: str, value: float | None) -> None:
    pf = esf.parse_cfla(write_cfla(tmp_path / "es_fondu_projekti_2014_2020.csv", [project(total=written, eu="0,00")]))
    assert pf.rows[0]["total_cost"] == value


def test_cfla_amounts_are_quoted_in_the_file(tmp_path: Path) -> None:
    path = write_cfla(tmp_path / "es_fondu_projekti_2014_2020.csv", [project()])
    assert ',"1234567,89","1049382,71",' in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("written", ["03.03.2015", "3.3.2015", "03.03.2015.", "2015-03-03"])
def test_cfla_dates_in_either_form(tmp_path: Path, written: str) -> None:
    pf = esf.parse_cfla(write_cfla(tmp_path / "es_fondu_projekti_2014_2020.csv", [project(start=written)]))
    assert pf.rows[0]["start_date"] == dt.date(2015, 3, 3)
    assert pf.rows[0]["end_date"] == dt.date(2019, 9, 12)


@pytest.mark.parametrize("number,parts", [
    ("9.2.2.1/15/I/001", {"measure_code": "9.2.2.1", "call_year": 2015, "selection_code": "I", "serial": "001"}),
    ("4.3.5.1/23/A/012", {"measure_code": "4.3.5.1", "call_year": 2023, "selection_code": "A", "serial": "012"}),
    ("4.3.5.1/1/24/I/003", {"measure_code": "4.3.5.1", "call_year": 2024, "selection_code": "I", "serial": "003"}),
    ("9.3.1.1/ārpus kārtas", {"measure_code": "9.3.1.1", "call_year": None, "selection_code": None,
                              "serial": None}),
])
def test_parse_cfla_number(number: str, parts: dict) -> None:
    assert esf.parse_cfla_number(number) == parts


@pytest.mark.parametrize("number", ["", "nav/15/I/001", "Projekts 9.2.2.1"])
def test_parse_cfla_number_without_a_measure(number: str) -> None:
    with pytest.raises(ValueError, match="measure code"):
        esf.parse_cfla_number(number)


@pytest.mark.parametrize("number,parts", [
    ("1DP/1.4.1.2.4/09/APIA/NVA/001", {"programme": "1DP", "activity_code": "1.4.1.2.4", "call_year": 2009,
                                       "selection_code": "APIA", "agency": "NVA", "serial": "001"}),
    ("1DP/1.4.1.2.4/10/IPIA/NVA/003", {"programme": "1DP", "activity_code": "1.4.1.2.4", "call_year": 2010,
                                       "selection_code": "IPIA", "agency": "NVA", "serial": "003"}),
    (" 3DP/3.4.3.1/11/APIA/VRAA/12 ", {"programme": "3DP", "activity_code": "3.4.3.1", "call_year": 2011,
                                      "selection_code": "APIA", "agency": "VRAA", "serial": "12"}),
])
def test_parse_apia_number(number: str, parts: dict) -> None:
    assert esf.parse_apia_number(number) == parts


@pytest.mark.parametrize("number", ["", "1DP/1.4.1.2.4/09/XYZ/NVA/001", "1.4.1.2.4/09/APIA/001", "9.2.2.1/15/I/001"])
def test_parse_apia_number_rejects_other_forms(number: str) -> None:
    with pytest.raises(ValueError, match="programme/activity"):
        esf.parse_apia_number(number)


# --- CFLA: measures kept and filtered ----------------------------------------------------------------------------

def test_other_measures_are_left_out_and_counted_by_measure(tmp_path: Path) -> None:
    rows = [project(number="9.2.2.1/15/I/001"), project(number="1.1.1.1/16/A/001"),
            project(number="1.1.1.1/16/A/002", total="nav zināms"), project(number="5.6.2.0/17/I/001"),
            project(number="4.3.5.1/23/I/001"), project(number="9.3.1.1/16/I/001"), project(number="9.2.2.2/16/I/001")]
    pf = esf.parse_cfla(write_cfla(tmp_path / "es_fondu_projekti_2014_2020.csv", rows))
    assert sorted(r["measure_code"] for r in pf.rows) == ["4.3.5.1", "9.2.2.1", "9.2.2.2", "9.3.1.1"]
    # A broken row of a measure that is not kept is left out, not rejected.
    assert dict(pf.filtered) == {"1.1.1.1": 2, "5.6.2.0": 1}
    assert pf.rejected == []
    assert pf.rows_in_file == len(rows) == pf.rows_read + sum(pf.filtered.values())


def test_measures_are_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert esf.social_measures() == ("9.2.2.1", "9.2.2.2", "9.3.1.1", "4.3.5.1")
    monkeypatch.setenv("LVSOCIAL_ESF_MEASURES", "9.2.2.1, 1.1.1.1")
    assert esf.social_measures() == ("9.2.2.1", "1.1.1.1")
    path = write_cfla(tmp_path / "es_fondu_projekti_2014_2020.csv",
                      [project(number="1.1.1.1/16/A/001"), project(number="9.2.2.2/16/I/001")])
    pf = esf.parse_cfla(path)
    assert [r["measure_code"] for r in pf.rows] == ["1.1.1.1"] and dict(pf.filtered) == {"9.2.2.2": 1}
    assert [r["measure_code"] for r in esf.parse_cfla(path, ("9.2.2.2",)).rows] == ["9.2.2.2"]
    monkeypatch.setenv("LVSOCIAL_ESF_MEASURES", "9.2.2.1;sociālie")
    with pytest.raises(ValueError, match="sociālie"):
        esf.social_measures()


# --- CFLA: unknown and missing columns, rejected rows --------------------------------------------------------------

def test_unknown_column_is_kept_in_raw_and_reported(tmp_path: Path) -> None:
    path = write_cfla(tmp_path / "es_fondu_projekti_2021_2027.csv", [project()], NEW,
                      extra={"ProjektaIeviesanasVieta": "Ogre, Ogres novads"})
    pf = esf.parse_cfla(path)
    assert len(pf.rows) == 1
    assert json.loads(pf.rows[0]["extra_fields"]) == {"ProjektaIeviesanasVieta": "Ogre, Ogres novads"}
    assert pf.warnings == ["unknown column(s) kept in raw (extra_fields): ProjektaIeviesanasVieta"]


@pytest.mark.parametrize("names,dropped,named", [
    (OLD, "total", "total_cost (ProjektaKopejasIzmaksas or KopejaisFinansejums)"),
    (NEW, "start", "start_date (ProjektaIeviesanasSakumaDatums or SakumaDatums)"),
    (NEW, "number", "project_number (ProjektaNumurs)"),
])
def test_missing_required_column_fails_the_file_with_a_clear_message(tmp_path: Path, names: dict, dropped: str,
                                                                     named: str) -> None:
    path = write_cfla(tmp_path / "es_fondu_projekti_2021_2027.csv", [project()], names, drop=(dropped,))
    with pytest.raises(IngestionError) as info:
        esf.parse_cfla(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "missing required column(s)" in message and named in message


def test_missing_optional_column_is_a_warning(tmp_path: Path) -> None:
    pf = esf.parse_cfla(write_cfla(tmp_path / "es_fondu_projekti_2021_2027.csv", [project()], NEW, drop=("target",)))
    assert len(pf.rows) == 1 and pf.rows[0]["target_group"] is None
    assert pf.warnings == ["optional column(s) absent, left empty: target_group"]


def test_cfla_rejected_rows_with_reasons(tmp_path: Path) -> None:
    rows = [project(), project(number=""), project(number="9.2.2.1/15/I/002", total="nav zināms"),
            project(number="4.3.5.1/23/I/001", start="31.02.2023"), project(number="9.2.2.1/15/I/003", eu="-5,00"),
            project(), project(number="9.2.2.1/15/I/004", applicant=""), project(number="9.2.2.1/15/I/005")]
    path = write_cfla(tmp_path / "es_fondu_projekti_2014_2020.csv", rows)
    text = path.read_text(encoding="utf-8").splitlines()
    text[-1] += ",one field too many"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    pf = esf.parse_cfla(path)
    assert [r["_source_row"] for r in pf.rows] == [2]
    assert rejected_by_row(pf) == {
        3: "missing project number",
        4: "total cost is not an amount: 'nav zināms'",
        5: "start date is not a date: '31.02.2023'",
        6: "EU co-financing is negative: -5.0",
        7: "duplicate project number of row 2",
        8: "missing beneficiary name",
        9: "expected 11 fields, found 12",
    }
    assert pf.rejected[0].raw_record["ProjektaNumurs"] == ""
    assert pf.rows_read == len(rows)


def test_cfla_empty_file_raises_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "es_fondu_projekti_2014_2020.csv"
    path.write_bytes(b"")
    with pytest.raises(IngestionError, match="es_fondu_projekti_2014_2020.csv: empty file"):
        esf.parse_cfla(path)


# --- CFLA: loading a period --------------------------------------------------------------------------------------

def test_load_period_writes_raw_audit_and_filtered_counts_idempotently(tmp_path: Path) -> None:
    path = write_cfla(tmp_path / "es_fondu_projekti_2014_2020.csv",
                      [project(), project(number="1.1.1.1/16/A/001"), project(number="")])
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    for _ in range(2):
        totals, warnings, filtered = esf.load_cfla_period(con, "2014_2020", [path])
    assert (totals["rows_read"], totals["rows_loaded"], totals["rows_rejected"]) == (2, 1, 1)
    assert totals["rows_filtered"] == 1 and totals["rows_in_file"] == 3 and dict(filtered) == {"1.1.1.1": 1}
    assert con.execute("select project_number, total_cost, start_date, _source_row, _programming_period "
                       "from raw.esf_cfla_projects").fetchall() == [
        ("9.2.2.1/15/I/001", Decimal("1234567.89"), dt.date(2015, 3, 3), 2, "2014_2020")]
    assert con.execute("select filter_column, filter_value, rows_filtered from audit.filtered_rows").fetchall() == [
        ("measure_code", "1.1.1.1", 1)]
    assert con.execute("select rows_read, rows_loaded, rows_rejected from audit.load_log").fetchall() == [(2, 1, 1)]
    assert con.execute("select source_row, reason from audit.rejected_rows").fetchall() == [
        (4, "missing project number")]


# --- The Dagster asset: a broken file fails, the other period still loads -------------------------------------------

def test_a_file_missing_a_column_fails_and_the_other_period_still_loads(tmp_path: Path) -> None:
    from orchestration.defs.esf import esf_cfla_projects
    from orchestration.resources import LandingFolder, Warehouse

    landing = tmp_path / "landing"
    (landing / "esf").mkdir(parents=True)
    write_cfla(landing / "esf" / "es_fondu_projekti_2014_2020.csv", [project()], OLD, drop=("eu",))
    write_cfla(landing / "esf" / "es_fondu_projekti_2021_2027.csv",
               [project(number="4.3.5.1/23/I/001", start="2024-02-20")], NEW)
    warehouse = tmp_path / "wh.duckdb"
    result = dg.materialize(
        [esf_cfla_projects], instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
        resources={"warehouse": Warehouse(path=str(warehouse)), "landing": LandingFolder(path=str(landing))},
        tags={"dagster/asset_partition_range_start": "2014_2020", "dagster/asset_partition_range_end": "2021_2027"})
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.user_failure_data.metadata["failures"].value
    assert "es_fondu_projekti_2014_2020.csv: missing required column(s): eu_funding" in message
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select _programming_period, project_number from raw.esf_cfla_projects").fetchall() == [
            ("2021_2027", "4.3.5.1/23/I/001")]
        loaded = con.execute("select source_file from audit.load_log").fetchall()
        assert loaded == [("es_fondu_projekti_2021_2027.csv",)]


# --- APIA workbook -----------------------------------------------------------------------------------------------

PROJECT_HEADER = ["Projekta Nr.", "Nosaukums", "Finansējuma saņēmējs", "Reģ. Nr.", "Pašvaldība", "Kārta", "Statuss",
                  "Sākuma datums", "Beigu datums", "Kopējās izmaksas, LVL", "ESF finansējums, LVL"]
SERVICE_HEADER = ["Projekta Nr.", "Pakalpojums", "Jauns vai pilnveidots", "Inovatīvs", "Metode", "Mērķa grupa",
                  "Plānotais klientu skaits"]
P1 = "1DP/1.4.1.2.4/09/APIA/NVA/001"
P2 = "1DP/1.4.1.2.4/10/IPIA/NVA/002"


def apia_workbook(path: Path, projects: list[list], services: list[list], title_row: bool = False,
                  project_header: list[str] = PROJECT_HEADER, sheets=("Projekti", "Pakalpojumi")) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheets[0]
    if title_row:
        ws.append(["ESF aktivitāte 1.4.1.2.4 — projekti"])
    ws.append(project_header)
    for row in projects:
        ws.append(row)
    if len(sheets) > 1:
        ws2 = wb.create_sheet(sheets[1])
        ws2.append(SERVICE_HEADER)
        for row in services:
            ws2.append(row)
    wb.save(path)
    return path


def apia_projects() -> list[list]:
    return [[P1, "Dienas aprūpes centra izveide Ogres novadā", "Ogres novada pašvaldība", "90000024455", "Ogres nov.",
             1, "Pabeigts", dt.datetime(2009, 10, 1), dt.datetime(2011, 9, 4), 70280.4, 59738.34],
            [P2, "Krīzes centrs", "Cēsu novada dome", "90000031048", "Cesu novads", "2", "Pabeigts", "01.03.2011",
             "2012-12-31", "1 234,56", "1049,38"]]


def test_apia_headers_and_sheet_names_without_diacritics(tmp_path: Path) -> None:
    """Headers are compared folded by the one rule of every reader (ingestion.common.fold_header)."""
    plain = ["PROJEKTA NR.", "Nosaukums", "Finansejuma sanemejs", "Reg. Nr.", "Pasvaldiba", "Karta", "Statuss",
             "Sakuma  datums", "Beigu datums", "Kopejas izmaksas, LVL", "ESF finansejums, LVL"]
    path = apia_workbook(tmp_path / "apia_1_4_1_2_4.xlsx", apia_projects(),
                         [[P1, "dienas aprūpes centrs", "jauns", "jā", None, None, 25]], project_header=plain,
                         sheets=("PROJEKTI", "pakalpojumi"))
    projects, services = esf.parse_apia(path)
    assert projects.rejected == [] and services.rejected == []
    assert [(p["project_number"], p["municipality_text"], p["currency"], p["total_cost"]) for p in projects.rows] == [
        (P1, "Ogres nov.", "LVL", 70280.4), (P2, "Cesu novads", "LVL", 1234.56)]


def test_apia_two_sheets_lvl_and_parsed_numbers(tmp_path: Path) -> None:
    path = apia_workbook(tmp_path / "apia_1_4_1_2_4.xlsx", apia_projects(), [
        [P1, "dienas aprūpes centrs", "jauns", "jā", "smilšu terapija", "bērni", 25],
        [P1, "Mobilā brigāde", "pilnveidots", "nē", "aprūpe dzīvesvietā", "seniori", "40"],
        [P2, "krīzes centrs", "Jauns", None, None, None, None]], title_row=True)
    projects, services = esf.parse_apia(path)
    assert projects.rejected == [] and services.rejected == []
    first, second = projects.rows
    assert first["_source_row"] == 3  # below the title row and the header
    assert {k: first[k] for k in ("programme", "activity_code", "call_year", "selection_code", "agency", "serial",
                                  "round", "currency", "total_cost", "eu_funding", "start_date", "end_date",
                                  "municipality_text")} == {
        "programme": "1DP", "activity_code": "1.4.1.2.4", "call_year": 2009, "selection_code": "APIA",
        "agency": "NVA", "serial": "001", "round": 1, "currency": "LVL", "total_cost": 70280.4,
        "eu_funding": 59738.34, "start_date": dt.date(2009, 10, 1), "end_date": dt.date(2011, 9, 4),
        "municipality_text": "Ogres nov."}
    # Text cells: a round typed as text, dd.mm.yyyy and ISO dates, amounts with decimal commas and a space.
    assert (second["selection_code"], second["round"], second["start_date"], second["end_date"]) == (
        "IPIA", 2, dt.date(2011, 3, 1), dt.date(2012, 12, 31))
    assert (second["total_cost"], second["eu_funding"]) == (1234.56, 1049.38)
    assert [(s["novelty"], s["is_innovative"], s["planned_clients"]) for s in services.rows] == [
        ("new", True, 25), ("improved", False, 40), ("new", None, None)]
    assert services.rows[1]["novelty_as_written"] == "pilnveidots"


def test_apia_rejected_rows_with_reasons(tmp_path: Path) -> None:
    projects = apia_projects() + [
        ["1DP/1.4.1.2.4/09/APIA/NVA/003", "Bez pašvaldības", "Biedrība", "40008012345", None, 1, "Pabeigts",
         dt.datetime(2010, 1, 1), None, 100, 85],
        ["1.4.1.2.4/09/004", "Nepareizs numurs", "Rīgas dome", "90011524360", "Rīga", 1, "Pabeigts",
         dt.datetime(2010, 1, 1), None, 100, 85],
        [P1, "Dubults", "Ogres novada pašvaldība", "90000024455", "Ogres nov.", 1, "Pabeigts",
         dt.datetime(2009, 10, 1), None, 100, 85],
        ["1DP/1.4.1.2.4/09/APIA/NVA/005", "Summa", "Rīgas dome", "90011524360", "Rīga", 1, "Pabeigts",
         dt.datetime(2010, 1, 1), None, "simts", 85],
    ]
    services = [
        [None, "dienas aprūpes centrs", "jauns", "nē", None, None, 25],
        ["1DP/1.4.1.2.4/09/APIA/NVA/099", "dienas aprūpes centrs", "jauns", "nē", None, None, 25],
        [P1, "atelpas brīdis", "varbūt", "nē", None, None, 5],
        [P1, "atelpas brīdis", "jauns", "x", None, None, 5],
        [P1, "atelpas brīdis", "jauns", "nē", None, None, 5.5],
        [P1, None, "jauns", "nē", None, None, 5],
        [P2, "krīzes centrs", "jauns", "nē", None, None, 5],
        [P2, "krīzes centrs", "jauns", "nē", None, None, 5],
    ]
    p, s = esf.parse_apia(apia_workbook(tmp_path / "apia_1_4_1_2_4.xlsx", projects, services))
    assert rejected_by_row(p) == {
        4: "missing municipality text",
        5: "project number not in the form programme/activity/yy/APIA|IPIA/agency/serial: '1.4.1.2.4/09/004'",
        6: "duplicate project number of row 2",
        7: "total cost is not an amount: 'simts'",
    }
    assert rejected_by_row(s) == {
        2: "missing project number",
        3: "project 1DP/1.4.1.2.4/09/APIA/NVA/099 is not in sheet 'Projekti'",
        4: "`Jauns vai pilnveidots` is neither jauns nor pilnveidots: 'varbūt'",
        5: "`Inovatīvs` is neither jā nor nē: 'x'",
        6: "planned clients is not a whole number: 5.5",
        7: "missing service name",
        9: "duplicate of row 8 in the same sheet",
    }
    assert [r["_source_row"] for r in s.rows] == [8]
    assert p.rows_read == len(projects) and s.rows_read == len(services)


def test_apia_amounts_take_their_currency_from_the_header(tmp_path: Path) -> None:
    header = [h.replace(", LVL", ", EUR") for h in PROJECT_HEADER]
    p, _ = esf.parse_apia(apia_workbook(tmp_path / "apia_1_4_1_2_4.xlsx", apia_projects(), [], project_header=header))
    assert {r["currency"] for r in p.rows} == {"EUR"}


def test_apia_unknown_column_kept_and_missing_column_fails(tmp_path: Path) -> None:
    header = PROJECT_HEADER + ["Piezīmes"]
    rows = [r + ["labots 2012"] for r in apia_projects()]
    p, _ = esf.parse_apia(apia_workbook(tmp_path / "a.xlsx", rows, [], project_header=header))
    assert json.loads(p.rows[0]["extra_fields"]) == {"Piezīmes": "labots 2012"}
    assert p.warnings == ["sheet 'Projekti': unknown column(s) kept in raw (extra_fields): Piezīmes"]
    header = [h for h in PROJECT_HEADER if h != "Pašvaldība"]
    rows = [r[:4] + r[5:] for r in apia_projects()]
    path = apia_workbook(tmp_path / "b.xlsx", rows, [], project_header=header)
    with pytest.raises(IngestionError, match=r"b\.xlsx: sheet 'Projekti': missing required column\(s\) for "
                                             r"municipality_text"):
        esf.parse_apia(path)


def test_apia_missing_sheet_or_broken_workbook_raises_naming_the_file(tmp_path: Path) -> None:
    path = apia_workbook(tmp_path / "apia_1_4_1_2_4.xlsx", apia_projects(), [], sheets=("Projekti",))
    with pytest.raises(IngestionError, match=r"apia_1_4_1_2_4\.xlsx: no sheet 'Pakalpojumi'"):
        esf.parse_apia(path)
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(IngestionError, match=r"apia_1_4_1_2_4\.xlsx: not a readable \.xlsx workbook"):
        esf.parse_apia(path)


def test_load_apia_writes_both_sheets_with_one_load_log_row_each(tmp_path: Path) -> None:
    path = apia_workbook(tmp_path / "apia_1_4_1_2_4.xlsx", apia_projects(), [
        [P1, "dienas aprūpes centrs", "jauns", "jā", "smilšu terapija", "bērni", 25],
        [None, "dienas aprūpes centrs", "jauns", "nē", None, None, 25]])
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    for _ in range(2):  # idempotent
        esf.load_apia(con, [path])
    assert con.execute("select source, rows_read, rows_loaded, rows_rejected, partition_key from audit.load_log "
                       "order by source").fetchall() == [
        ("esf_apia_planned_services", 2, 1, 1, "2007_2013"), ("esf_apia_projects", 2, 2, 0, "2007_2013")]
    assert con.execute("select count(*) from raw.esf_apia_projects").fetchone()[0] == 2
    assert con.execute("select project_number, novelty, is_innovative, _source_row from raw.esf_apia_planned_services"
                       ).fetchall() == [(P1, "new", True, 2)]
    assert con.execute("select total_cost, currency from raw.esf_apia_projects order by project_number").fetchall() == [
        (Decimal("70280.40"), "LVL"), (Decimal("1234.56"), "LVL")]
