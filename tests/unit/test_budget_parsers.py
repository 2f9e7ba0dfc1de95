"""The readers of the municipal budget, statistics and staffing files
(docs/inputs.md#municipal-budgets-statistics-and-staffing) and of the wide population file
(docs/inputs.md#population), each quirk shown with a small purpose-made file written into pytest's tmp_path, and the
rows, rejections or error it must give; and loading a year twice, or another year, into a throwaway warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from ingestion import budgets, population
from ingestion.common import BOM, IngestionError

NBSP, NNBSP = "\u00a0", "\u202f"
BUDGET_HEADER = "Gads;ATVK kods;Pašvaldība;Funkcijas kods;Funkcijas nosaukums;Plāns;Izpilde;Valūta"
STATISTICS_HEADER = "Gads;ATVK kods;Pašvaldība;Pakalpojums;Klientu skaits;Izdevumi;Valūta"
STAFFING_HEADER = "Gads;ATVK kods;Pašvaldība;Sociālā darba speciālisti;Citi darbinieki"


def write(path: Path, lines: list[str], bom: bool = True) -> Path:
    path.write_bytes((BOM if bom else b"") + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def by_row(pf) -> dict[int, dict]:
    return {row["_source_row"]: row for row in pf.rows}


def rejected_by_row(pf) -> dict[int, str]:
    return {r.source_row: r.reason for r in pf.rejected}


# --- numbers: thousands separators of both kinds, decimal commas ------------------------------------------------


def test_budget_amounts_with_both_thousands_separators_and_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path / "pasvaldibu_izdevumi_2013.csv", [
        BUDGET_HEADER,
        "2013;0010000;Rīga;10.000;Sociālā aizsardzība;68 863 103,75;63 633 893,13;LVL",
        f"2013;0010000;Rīga;10.100;Darbnespēja;4{NBSP}655{NBSP}445,82;4{NBSP}324{NBSP}934,12;LVL",
        f"2013;0010000;Rīga;10.200;Vecums;1{NNBSP}000,5;999;LVL",
        "2013;0010000;Rīga;10.400;Ģimenes;;0,07;LVL",
    ])
    pf = budgets.parse_file(path, budgets.EXPENDITURE, 2013)
    assert pf.rejected == [] and pf.encoding == "utf-8-sig"
    rows = by_row(pf)
    assert (rows[2]["planned_amount"], rows[2]["executed_amount"]) == (68_863_103.75, 63_633_893.13)
    assert (rows[3]["planned_amount"], rows[3]["executed_amount"]) == (4_655_445.82, 4_324_934.12)
    assert (rows[4]["planned_amount"], rows[4]["executed_amount"]) == (1000.5, 999.0)
    assert (rows[5]["planned_amount"], rows[5]["executed_amount"]) == (None, 0.07)  # a plan may be left empty
    # The text as written stays beside the parsed amount.
    assert rows[3]["executed"] == f"4{NBSP}324{NBSP}934,12"
    assert {r["currency_code"] for r in pf.rows} == {"LVL"}


def test_statistics_clients_and_spending(tmp_path: Path) -> None:
    path = write(tmp_path / "soc_pakalpojumi_2022.csv", [
        STATISTICS_HEADER,
        f"2022;0031000;Jēkabpils novads;Aprūpe mājās (pašvaldības darbinieki);151;148{NBSP}923,00;EUR",
        "2022;0031000;Jēkabpils novads;Krīzes centrs;1 071;148 011;eur",
        "2022;0031000;Jēkabpils novads;Dienas aprūpes centrs;12;;",
    ])
    pf = budgets.parse_file(path, budgets.STATISTICS, 2022)
    assert pf.rejected == []
    rows = by_row(pf)
    assert (rows[2]["clients_count"], rows[2]["expenditure_amount"], rows[2]["currency_code"]) == (151, 148923.0, "EUR")
    assert (rows[3]["clients_count"], rows[3]["expenditure_amount"], rows[3]["currency_code"]) == (1071, 148011.0,
                                                                                                    "EUR")
    assert (rows[4]["clients_count"], rows[4]["expenditure_amount"], rows[4]["currency_code"]) == (12, None, None)


def test_staffing_counts(tmp_path: Path) -> None:
    path = write(tmp_path / "soc_dienesti_2019.csv", [
        STAFFING_HEADER, "2019;0010000;Rīga;503;515", "2019;0740202;Ogres novads;1 012;",
        "2019;0110000;Jēkabpils;12,5;3",
    ])
    pf = budgets.parse_file(path, budgets.STAFFING, 2019)
    rows = by_row(pf)
    assert (rows[2]["social_work_specialists_count"], rows[2]["other_staff_count"]) == (503, 515)
    assert (rows[3]["social_work_specialists_count"], rows[3]["other_staff_count"]) == (1012, None)
    assert rejected_by_row(pf) == {4: "Sociālā darba speciālisti is not a whole number: '12,5'"}


# --- rows that cannot be trusted ------------------------------------------------------------------------------


LONG_TERM_CARE_HEADER = "Gads;ATVK kods;Pašvaldība;Vecuma grupa;Klienti gada beigās;Jaunie klienti gadā"


def test_long_term_care_clients_by_age_group(tmp_path: Path) -> None:
    """Age groups as written (en dash, hyphen, `gadi`, `90 un vairāk`) coded; counts with thousands spaces; an
    unknown group, a negative count, a missing year-end count and a duplicate group rejected with the reason."""
    path = write(tmp_path / "ilgstosas_aprupes_klienti_2023.csv", [
        LONG_TERM_CARE_HEADER,
        "2023;0001000;Rīga;18–64;559;116",
        f"2023;0001000;Rīga;65-79 gadi;1{NBSP}077;241",
        "2023;0001000;Rīga;90 un vairāk;373;",
        "2023;0001000;Rīga;0–17;3;1",
        "2023;0020000;Daugavpils;80–89;-5;1",
        "2023;0020000;Daugavpils;18–64;;4",
        "2023;0020000;Daugavpils;65–79;12;4",
        "2023;0020000;Daugavpils;65 - 79;13;5",
    ])
    pf = budgets.parse_file(path, budgets.LONG_TERM_CARE, 2023)
    rows = by_row(pf)
    assert {r: (rows[r]["age_group_code"], rows[r]["clients_year_end_count"], rows[r]["new_clients_count"])
            for r in rows} == {2: ("18_64", 559, 116), 3: ("65_79", 1077, 241), 4: ("90_plus", 373, None),
                               8: ("65_79", 12, 4)}
    reasons = rejected_by_row(pf)
    assert "age group is none of" in reasons[5] and "'0–17'" in reasons[5]
    assert "Klienti gada beigās is negative" in reasons[6]
    assert reasons[7] == "missing Klienti gada beigās"
    assert reasons[9] == "duplicate of row 8 (same ATVK kods, Vecuma grupa)"



def test_the_long_term_care_suite_passes_a_loaded_file_and_fails_rows_no_parser_should_let_through(tmp_path):
    """The raw suite (expectations/budgets.py) on a loaded year; then with rows a faulty parser might write (an age
    group not coded, a count no municipality has, a second row of one group) put into the table directly."""
    from expectations import budgets as suites
    from expectations.runner import validate_frame

    path = write(tmp_path / "ilgstosas_aprupes_klienti_2023.csv", [
        LONG_TERM_CARE_HEADER, "2023;0001000;Rīga;18–64;559;116", "2023;0001000;Rīga;65–79;1077;241"])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        budgets.ensure_tables(con)
        budgets.load_year(con, "long_term_care_clients", 2023, [path])

        def failed() -> set:
            summary = validate_frame(con.execute(suites.LONG_TERM_CARE_QUERY).df(), suites.LONG_TERM_CARE_SUITE,
                                     suites.long_term_care_expectations)
            return {(f["column"], f["unexpected_count"]) for f in summary.failed}

        assert failed() == set()
        con.execute("update raw.long_term_care_clients set age_group_code = '65+' where age_group_code = '65_79'")
        con.execute("insert into raw.long_term_care_clients by name select * replace (99999 as "
                    "clients_year_end_count, _source_row + 10 as _source_row) from raw.long_term_care_clients "
                    "where age_group_code = '18_64'")
        assert failed() == {("age_group_code", 1), ("clients_year_end_count", 1), (None, 2)}

def test_budget_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    path = write(tmp_path / "pasvaldibu_izdevumi_2016.csv", [
        BUDGET_HEADER,
        "2016;0010000;Rīga;10.100;x;100,00;90,00;EUR",                                  # 2 good
        "2016;0010000;Rīga;10.900;x;100,00;12O 345,67;EUR",                             # 3 letter O for a zero
        "2016;0999999;Neidentificēta pašvaldība;10.200;x;15 000,00;14 250,00;EUR",      # 4 code in no classifier
        "2016;0010000;Rīga;10.200;x;100,00;-5,00;EUR",                                  # 5 negative
        "2015;0010000;Rīga;10.400;x;100,00;90,00;EUR",                                  # 6 another year
        "2016;0010000;Rīga;10.100;x;100,00;91,00;EUR",                                  # 7 duplicate of 2
        "2016;0010000;Rīga;10.500;x;100,00;;EUR",                                       # 8 no execution
        "2016;0010000;Rīga;10.600;x;100,00;90,00;Ls;extra",                             # 9 a field too many
        "2016;0010000;Rīga;10.600;x;100,00;90,00;USD",                                  # 10 unknown currency
        "2016;0010000;Rīga;10-700;x;100,00;90,00;EUR",                                  # 11 malformed function code
        "2016;R1;Rīga;10.700;x;100,00;90,00;EUR",                                       # 12 malformed ATVK code
        ";;;;;;;",                                                                      # 13 blank: skipped
    ])
    pf = budgets.parse_file(path, budgets.EXPENDITURE, 2016)
    assert [r["_source_row"] for r in pf.rows] == [2]
    assert rejected_by_row(pf) == {
        3: "Izpilde is not a number: '12O 345,67'",
        4: "ATVK code 0999999 is in no classifier (not in seeds/municipalities.csv)",
        5: "Izpilde is negative: '-5,00'",
        6: "year '2015' in the file of 2016",
        7: "duplicate of row 2 (same ATVK kods, Funkcijas kods)",
        8: "missing Izpilde",
        9: "expected 8 fields, found 9",
        10: "unknown currency 'USD' (LVL or EUR)",
        11: "functional code is not of the form 10.100: '10-700'",
        12: "ATVK code is not a code of up to 7 digits: 'R1'",
    }
    assert pf.rows_read == 11
    assert pf.rejected[0].raw_record["Izpilde"] == "12O 345,67"


def test_leading_zeros_dropped_by_a_spreadsheet_are_restored(tmp_path: Path) -> None:
    path = write(tmp_path / "soc_dienesti_2012.csv", [STAFFING_HEADER, "2012;10000;Rīga;400;300"])
    assert budgets.parse_file(path, budgets.STAFFING, 2012).rows[0]["atvk_code"] == "0010000"


def test_a_currency_other_than_the_years_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "pasvaldibu_izdevumi_2014.csv", [BUDGET_HEADER, "2014;0010000;Rīga;10.100;x;1;1;LVL",
                                                             "2014;0010000;Rīga;10.200;x;1;1;EUR"])
    pf = budgets.parse_file(path, budgets.EXPENDITURE, 2014)
    assert len(pf.rows) == 1
    assert [(r.source_row, r.reason) for r in pf.rejected] == [
        (2, "amount in LVL in the file of 2014: the currency of 2014 is EUR (the euro replaced the lats on "
            "1 January 2014)")]


def test_header_without_diacritics_and_in_another_order(tmp_path: Path) -> None:
    path = write(tmp_path / "soc_dienesti_2020.csv", [
        "Pasvaldiba;ATVK KODS;Gads;Citi  darbinieki;Sociala darba specialisti;Piezīmes",
        "Rīga;0010000;2020;515;503;pārskats precizēts",
    ], bom=False)
    pf = budgets.parse_file(path, budgets.STAFFING, 2020)
    row = pf.rows[0]
    assert (row["social_work_specialists_count"], row["other_staff_count"], row["year"]) == (503, 515, "2020")
    assert row["extra_fields"] == '{"Piezīmes": "pārskats precizēts"}'


def test_windows_1257_file(tmp_path: Path) -> None:
    path = tmp_path / "soc_dienesti_2011.csv"
    path.write_bytes(f"{STAFFING_HEADER}\r\n2011;0110000;Jēkabpils;20;10\r\n".encode("cp1257"))
    pf = budgets.parse_file(path, budgets.STAFFING, 2011)
    assert pf.encoding == "cp1257" and pf.rows[0]["municipality_name"] == "Jēkabpils"


@pytest.mark.parametrize(("lines", "message"), [
    (["Gads;ATVK kods;Pašvaldība;Funkcijas kods"], "missing required column(s): Plāns, Izpilde, Valūta"),
    ([BUDGET_HEADER.replace(";", ",")], "expected a ';'-separated"),
])
def test_unreadable_budget_files_name_the_file(tmp_path: Path, lines, message) -> None:
    path = write(tmp_path / "pasvaldibu_izdevumi_2018.csv", lines)
    with pytest.raises(IngestionError) as info:
        budgets.parse_file(path, budgets.EXPENDITURE, 2018)
    assert message in str(info.value) and "pasvaldibu_izdevumi_2018.csv" in str(info.value)


def test_empty_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "soc_pakalpojumi_2018.csv"
    path.write_bytes(b"")
    with pytest.raises(IngestionError, match="soc_pakalpojumi_2018.csv: empty file"):
        budgets.parse_file(path, budgets.STATISTICS, 2018)


# --- loading: a year's file replaces that year's partition ---------------------------------------------------


def test_a_years_file_replaces_that_year_only(tmp_path: Path) -> None:
    folder = tmp_path / "budgets"
    folder.mkdir()
    y2013 = write(folder / "soc_dienesti_2013.csv", [STAFFING_HEADER, "2013;0010000;Rīga;400;300",
                                                     "2013;0110000;Jēkabpils;x;1"])
    y2014 = write(folder / "soc_dienesti_2014.csv", [STAFFING_HEADER, "2014;0010000;Rīga;410;300"])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        totals, _ = budgets.load_year(con, "social_service_staffing", 2013, [y2013])
        assert (totals["rows_read"], totals["rows_loaded"], totals["rows_rejected"]) == (2, 1, 1)
        budgets.load_year(con, "social_service_staffing", 2014, [y2014])
        budgets.load_year(con, "social_service_staffing", 2013, [y2013])  # again: the same, not twice
        assert con.execute("select _year, count(*) from raw.social_service_staffing group by 1 order by 1"
                           ).fetchall() == [(2013, 1), (2014, 1)]
        assert con.execute("select count(*) from audit.rejected_rows").fetchone()[0] == 1
        assert con.execute("select count(*) from audit.load_log").fetchone()[0] == 2
        # A corrected 2013 file replaces 2013 and leaves 2014 alone.
        write(y2013, [STAFFING_HEADER, "2013;0010000;Rīga;401;300", "2013;0110000;Jēkabpils;20;1"])
        budgets.load_year(con, "social_service_staffing", 2013, [y2013])
        assert con.execute("select _year, sum(social_work_specialists_count) from raw.social_service_staffing "
                           "group by 1 order by 1").fetchall() == [(2013, 421), (2014, 410)]
        assert con.execute("select count(*) from audit.rejected_rows").fetchone()[0] == 0
        lineage = con.execute("select _source_file, _source_row, length(_file_sha256) from "
                              "raw.social_service_staffing where _year = 2013 order by 2").fetchall()
        assert lineage == [("soc_dienesti_2013.csv", 2, 64), ("soc_dienesti_2013.csv", 3, 64)]


def test_amounts_land_as_exact_decimals(tmp_path: Path) -> None:
    path = write(tmp_path / "pasvaldibu_izdevumi_2013.csv", [
        BUDGET_HEADER, f"2013;0010000;Rīga;10.000;x;1{NBSP}234{NBSP}567,89;702,80;LVL"])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        budgets.load_year(con, "budget_expenditure", 2013, [path])
        planned, executed = con.execute("select cast(planned_amount as varchar), cast(executed_amount as varchar) "
                                        "from raw.budget_expenditure").fetchone()
    assert (planned, executed) == ("1234567.89", "702.80")


# --- population: the wide PxWeb file -------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "expected"), [
    ("LV0040000 Ogres novads", ("0040000", "Ogres novads", None)),
    ("LV0001000 Rīga", ("0001000", "Rīga", None)),
    ("Ogres novads (līdz 01.07.2021.)", (None, "Ogres novads", dt.date(2021, 7, 1))),
    ("Jēkabpils  (līdz 1.7.2021)", (None, "Jēkabpils", dt.date(2021, 7, 1))),
    ("Varakļānu novads (līdz 01.07.2025.)", (None, "Varakļānu novads", dt.date(2025, 7, 1))),
])
def test_area_labels(label: str, expected) -> None:
    assert population.parse_area_label(label) == expected


@pytest.mark.parametrize("label", ["Ogres novads", "Latvija", "LV004 Ogres novads", ""])
def test_area_labels_of_neither_form(label: str) -> None:
    with pytest.raises(ValueError, match="neither"):
        population.parse_area_label(label)


def test_wide_population_file_is_unpivoted(tmp_path: Path) -> None:
    path = write(tmp_path / "iedzivotaji.csv", [
        '"Iedzīvotāju skaits gada sākumā"',                            # 1 a title above the header
        '"Teritoriālā vienība";"2020";"2021";"2022"',                  # 2 header
        '"LV0040000 Ogres novads";"..";57620;57010',                   # 3
        '"Ogres novads (līdz 01.07.2021.)";32 640;32 590;".."',        # 4 thousands space
        f'"Ikšķiles novads (līdz 01.07.2021.)";9{NBSP}748;"9 800";..',  # 5 no-break space, quoted
        '"Latvija";1907675;1893223;1875757',                           # 6 not a municipality
        '"Ķeguma novads (līdz 01.07.2021.)";5 600;x;".."',             # 7 a value that is no number
    ])
    pf = population.parse_file(path)
    values = {(r["area_label"], r["year"]): r["population"] for r in pf.rows}
    assert values == {
        ("LV0040000 Ogres novads", 2020): None, ("LV0040000 Ogres novads", 2021): 57620,
        ("LV0040000 Ogres novads", 2022): 57010,
        ("Ogres novads (līdz 01.07.2021.)", 2020): 32640, ("Ogres novads (līdz 01.07.2021.)", 2021): 32590,
        ("Ogres novads (līdz 01.07.2021.)", 2022): None,
        ("Ikšķiles novads (līdz 01.07.2021.)", 2020): 9748, ("Ikšķiles novads (līdz 01.07.2021.)", 2021): 9800,
        ("Ikšķiles novads (līdz 01.07.2021.)", 2022): None,
        ("Ķeguma novads (līdz 01.07.2021.)", 2020): 5600, ("Ķeguma novads (līdz 01.07.2021.)", 2022): None,
    }
    coded = next(r for r in pf.rows if r["area_label"] == "LV0040000 Ogres novads")
    assert (coded["atvk_code"], coded["area_name"], coded["valid_until"], coded["_source_row"]) == \
        ("0040000", "Ogres novads", None, 3)
    noted = next(r for r in pf.rows if r["area_label"].startswith("Ogres novads ("))
    assert (noted["atvk_code"], noted["area_name"], noted["valid_until"]) == (None, "Ogres novads", dt.date(2021, 7, 1))
    assert noted["population_as_written"] == "32 640"
    reasons = {(r.source_row, r.raw_record["year"]): r.reason for r in pf.rejected}
    assert set(reasons) == {(6, 2020), (6, 2021), (6, 2022), (7, 2021)}
    assert reasons[(7, 2021)] == "population is not a number: 'x'"
    assert "neither" in reasons[(6, 2020)]
    assert pf.rows_read == 5 * 3  # every area × year, loaded or rejected


def test_population_file_without_year_header_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "iedzivotaji.csv", ['"Teritoriālā vienība";"Iedzīvotāji"', '"LV0001000 Rīga";600000'])
    with pytest.raises(IngestionError, match="iedzivotaji.csv: no header row with the years"):
        population.parse_file(path)


def test_population_load_replaces_the_table(tmp_path: Path) -> None:
    path = write(tmp_path / "iedzivotaji.csv", ['"Teritoriālā vienība";"2021"', '"LV0001000 Rīga";614618'])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        population.load(con, [path])
        write(path, ['"Teritoriālā vienība";"2021";"2022"', '"LV0001000 Rīga";614618;609651'])
        totals, _ = population.load(con, [path])
        assert totals["rows_loaded"] == 2
        assert con.execute("select year, population from raw.population order by 1").fetchall() == \
            [(2021, 614618), (2022, 609651)]
        assert con.execute("select rows_read, rows_loaded, rows_rejected from audit.load_log "
                           "where source = 'population'").fetchall() == [(2, 2, 0)]


def test_the_currency_rule_is_read_from_the_seed(tmp_path, monkeypatch):
    """The LVL rate and the euro year have one home, seed `currency_rates`: the parser, the checks and the sample
    read it there (ingestion.reference), as the dbt macro `to_eur` does."""
    from ingestion import reference

    assert (reference.lvl_per_eur(), reference.euro_from_year()) == (0.702804, 2014)
    assert [reference.currency_of_year(y) for y in (2013, 2014)] == ["LVL", "EUR"]
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "currency_rates.csv").write_text(
        "currency,eur_per_unit,lvl_per_eur,valid_until,note\nEUR,1.0,0.7,,\nLVL,1.43,0.7,2012-12-31,\n",
        encoding="utf-8")
    monkeypatch.setattr(reference, "SEEDS", seeds)
    reference._lats.cache_clear()
    try:
        assert (reference.lvl_per_eur(), reference.euro_from_year()) == (0.7, 2013)
        assert reference.currency_of_year(2013) == "EUR"
    finally:
        monkeypatch.undo()
        reference._lats.cache_clear()
