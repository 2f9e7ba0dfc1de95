"""The bad-input corpus for the other sources (municipal budgets, statistics, staffing, population, EU funds): one
real pipeline run over broken files (shared with the register's corpus: tests/runs/conftest.py), each case asserting
a clear message (file, row, reason) and nothing lost."""

import csv
import io

import pytest
from openpyxl import Workbook

BUDGET_HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Funkcijas kods", "Funkcijas nosaukums", "Plāns", "Izpilde",
                 "Valūta"]
SQLISH = "Rīga'); delete from marts.fct_municipal_expenditure; --"


def _csv(header, rows, delimiter=";", bom=True) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8")


def _budget(code="0010000", name="Rīga", function="10.200", plan="1 000,00", executed="900,00", cur="EUR",
            year="2015"):
    return [year, code, name, function, "Atbalsts gados veciem cilvēkiem", plan, executed, cur]


CFLA_2014 = ["ProjektaNumurs", "ProjektaNosaukums", "ProjektaStatuss", "Fonds", "ProjektaKopejasIzmaksas",
             "ProjektamPieskirtaisESFonduLidzfinansejums", "ProjektaIeviesanasSakumaDatums",
             "ProjektaIeviesanasBeiguDatums", "ProjektaMerkaGrupa", "IesniedzejaNosaukums", "IesniedzejaRegNo"]


def _cfla(number, start="01.03.2016", total="100 000,00"):
    return [number, "Sabiedrībā balstīti pakalpojumi", "Pabeigts", "ESF", total, "85000,00", start, "31.12.2018",
            "Personas ar invaliditāti", "Ogres novada pašvaldība", "90000024332"]


def _apia(path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Projekti"
    ws.append(["ESF aktivitātes 1.4.1.2.4 projekti"])
    ws.merge_cells("A1:K1")  # a merged title above the header, as spreadsheets made by hand have
    ws.append(["Projekta Nr.", "Nosaukums", "Finansējuma saņēmējs", "Reģ. Nr.", "Pašvaldība", "Kārta", "Statuss",
               "Sākuma datums", "Beigu datums", "Kopējās izmaksas, LVL", "ESF finansējums, LVL"])
    ws.append(["1DP/1.4.1.2.4/09/APIA/NVA/001", "Dienas centrs", "Ogres novada pašvaldība", "90000024332",
               "Ogres nov.", 1, "Pabeigts", "01.03.2010", "31.12.2011", 70280.4, 59738.34])
    ws.append(["nav numura", "Slikts numurs", "Cēsu novada pašvaldība", "90000031048", "Cēsu novads", 1,
               "Pabeigts", "01.03.2010", "31.12.2011", 1000, 800])
    ws2 = wb.create_sheet("Pakalpojumi")
    ws2.append(["Projekta Nr.", "Pakalpojums", "Jauns vai pilnveidots", "Inovatīvs", "Metode", "Mērķa grupa",
                "Plānotais klientu skaits"])
    ws2.append(["1DP/1.4.1.2.4/09/APIA/NVA/001", "dienas centrs", "jauns", "jā", "mākslas terapija", "seniori", 20])
    ws2.append(["1DP/1.4.1.2.4/09/APIA/NVA/999", "dienas centrs", "jauns", "nē", "", "seniori", 10])
    wb.save(path)


def write_sources_corpus(root):
    """The other sources' broken files under root/landing (the run is shared with the register's corpus:
    tests/runs/conftest.py)."""
    landing = root / "landing"
    for sub in ("budgets", "esf", "reference"):
        (landing / sub).mkdir(parents=True)
    (landing / "budgets" / "pasvaldibu_izdevumi_2015.csv").write_bytes(_csv(BUDGET_HEADER, [
        _budget(),                                                  # 2 good
        _budget(cur="LVL", function="10.100"),                      # 3 lats in a euro year
        _budget(executed="-5 000,00", function="10.400"),           # 4 negative amount
        _budget(executed="1,234.50", function="10.700"),            # 5 English number format
        _budget(executed="1.234,50", function="10.900"),            # 6 dots as thousands: fine
        _budget(code="0999999", name="Atlantīdas novads"),          # 7 unknown municipality code
        _budget(name=SQLISH, code="0050000"),                       # 8 text that looks like SQL
        _budget(year="2014", function="10.600", code="0090000"),    # 9 a row of another year
    ]))
    (landing / "budgets" / "pasvaldibu_izdevumi_2022.csv").write_bytes(_csv(BUDGET_HEADER, [
        _budget(code="0740600", name="Ikšķiles novads", year="2022"),  # abolished in 2021
    ]))
    (landing / "budgets" / "soc_dienesti_2016.csv").write_bytes(
        _csv(["Gads", "ATVK kods", "Pašvaldība", "Sociālā darba speciālisti", "Citi darbinieki"], []))
    (landing / "budgets" / "soc_pakalpojumi_2016.csv").write_bytes(
        _csv(["Gads", "ATVK kods", "Pašvaldība", "Pakalpojums", "Klientu skaits", "Valūta"],
             [["2016", "0010000", "Rīga", "Aprūpe mājās", "8 151", "EUR"]]))
    (landing / "esf" / "es_fondu_projekti_2014_2020.csv").write_bytes(_csv(CFLA_2014 + ["JaunaKolonna"], [
        _cfla("9.2.2.1/15/I/001") + ["x"],                          # 2 good
        _cfla("9.2.2.1/15/I/002", start="31.02.2016") + ["x"],      # 3 impossible date
        _cfla("1.1.1.1/16/A/001") + ["x"],                          # 4 another measure: filtered out
        _cfla("9.2.2.2/16/I/003", total="simts tūkstoši") + ["x"],  # 5 unreadable amount
    ], delimiter=",", bom=False))
    (landing / "esf" / "es_fondu_projekti_2021_2027.csv").write_bytes(
        _csv(["ProjektaNosaukums", "EsFonds"], [["Bez numura", "ESF+"]], delimiter=",", bom=False))
    _apia(landing / "esf" / "apia_1_4_1_2_4.xlsx")
    (landing / "reference" / "iedzivotaji.csv").write_bytes(_csv(
        ["Teritoriālā vienība", "2021", "2022"],
        [["LV0001000 Rīga", "614618", "609651"], ["LV9999999 Atlantīda", "10", "11"],
         ["Ogres novads (līdz 01.07.2021.)", "..", ".."]]))


@pytest.fixture(scope="module")
def run(bad_input_run):
    return bad_input_run


def _rejected(run, name):
    return dict(run.query("select source_row, reason from audit.rejected_rows where source_file = ?", [name]))


def _nothing_lost(run, name, table):
    logs = run.query("select sum(rows_read), sum(rows_loaded), sum(rows_rejected) from audit.load_log "
                     "where source_file = ?", [name])
    read, loaded, rejected = logs[0]
    assert read == loaded + rejected
    assert run.scalar(f"select count(*) from raw.{table} where _source_file = ?", [name]) == loaded
    return loaded


def test_budget_rows(run):
    name = "pasvaldibu_izdevumi_2015.csv"
    reasons = _rejected(run, name)
    assert set(reasons) == {3, 4, 5, 7, 9}, reasons
    assert "LVL" in reasons[3] and "2015" in reasons[3]
    assert "negative" in reasons[4]
    assert "1,234.50" in reasons[5]
    assert "0999999" in reasons[7]
    assert "2014" in reasons[9]
    assert _nothing_lost(run, name, "budget_expenditure") == 3
    executed = dict(run.query("select function_code, executed_original from marts.fct_municipal_expenditure "
                              "where year = 2015"))
    assert executed["10.900"] == pytest.approx(1234.50)
    assert executed["10.200"] == pytest.approx(900.00)


def test_abolished_code_after_the_reform_lands_on_its_successor(run):
    rows = run.query("""select m.name_lv from marts.fct_municipal_expenditure f
                        join marts.dim_municipality m on m.municipality_key = f.municipality_key where f.year = 2022""")
    assert rows == [("Ogres novads",)]


def test_header_only_and_missing_column(run):
    assert _nothing_lost(run, "soc_dienesti_2016.csv", "social_service_staffing") == 0
    assert any("soc_pakalpojumi_2016.csv" in line and "missing required column" in line and "Izdevumi" in line
               for line in run.output.splitlines()), run.output[-3000:]


def test_cfla_rows_and_columns(run):
    name = "es_fondu_projekti_2014_2020.csv"
    reasons = _rejected(run, name)
    assert set(reasons) == {3, 5}, reasons
    assert "31.02.2016" in reasons[3]
    assert "simts tūkstoši" in reasons[5]
    assert _nothing_lost(run, name, "esf_cfla_projects") == 1
    assert any("JaunaKolonna" in line for line in run.output.splitlines()), "the unknown column is not reported"
    assert any("es_fondu_projekti_2021_2027.csv" in line and "missing required column" in line
               for line in run.output.splitlines())


def test_apia_with_a_merged_title_row(run):
    reasons = _rejected(run, "apia_1_4_1_2_4.xlsx")
    assert len(reasons) == 2, reasons  # a project number that does not parse; a service of an unknown project
    assert run.scalar("select count(*) from marts.fct_esf_projects where programming_period = '2007_2013'") == 1


def test_population_unknown_area(run):
    reasons = _rejected(run, "iedzivotaji.csv")
    assert any("Atlantīda" in r or "LV9999999" in r for r in reasons.values()), reasons


def test_the_run_reports_failure_and_builds_what_it_can(run):
    assert run.returncode == 1
    assert run.scalar("select count(*) from marts.fct_municipal_expenditure") >= 3
