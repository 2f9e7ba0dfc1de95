"""The Social Service Providers Register readers (docs/inputs.md#register-json,
docs/inputs.md#register-legacy-csv-and-xlsx) and the landing scan (docs/inputs.md#the-landing-folder), each quirk
shown with a small purpose-made file written into pytest's tmp_path, and the rows, rejections or error it must give."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from ingestion import landing as landing_mod
from ingestion import registry
from ingestion.common import BOM, IngestionError

LEGACY_HEADER = ("Reģ. Nr.;Sniedzēja nosaukums;Reģistrācijas kods;Juridiskais statuss;Pakalpojums;"
                 "Pakalpojuma sniegšanas adrese;Pašvaldība;Klientu grupas;Vietu skaits;Statuss;Reģistrēts;Izslēgts")
HEADER_FIELDS = LEGACY_HEADER.split(";")


# --- helpers ------------------------------------------------------------------------------------------------


def json_record(**overrides) -> dict:
    """One register record in the current open-data shape; `None` as an override drops the field."""
    record = {
        "PakalpojumaSniedzejaRegistracijasNumurs": 103,
        "PakalpojumaSniedzejaNosaukums": "Ogres novada sociālais dienests",
        "RegistracijasNumurs": "90000024455",
        "JuridiskaisStatuss": "Pašvaldības iestāde",
        "Statuss": "Sniedz",
        "SniedzamaPakalpojumaNosaukums": "aprūpe mājās",
        "PakalpojumaSniegsanasForma": "bez izmitināšanas",
        "PlanotaisKlientuSkaits": 40,
        "KlientiPecVecumaUnDzimuma": "pilngadīgas personas (abu dzimumu)",
        "KlientuGrupas": [{"KlientuGrupasNosaukums": "pensijas vecuma personas"},
                          {"KlientuGrupasNosaukums": "personas ar invaliditāti"}],
        "FaktiskaAdrese": {"Adrese": "Brīvības iela 1, Ogre, Ogres nov., LV-5001", "VZDKods": "104567890"},
        "RegistresanasDatums": "05.03.2012",
        "KontaktInformacija": {"Talrunis": ["65000000"], "Epasts": ["dienests@ogre.lv"],
                               "Vaditajs": "Jānis Bērziņš"},
    }
    for key, value in overrides.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def write_json(path: Path, records: list, gz: bool = False) -> Path:
    data = json.dumps({"data": records}, ensure_ascii=False, indent=1).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", bom: bool = False,
              newline: str = "\n") -> Path:
    data = newline.join(lines).encode(encoding) + newline.encode(encoding)
    path.write_bytes((BOM if bom else b"") + data)
    return path


def by_row(pf) -> dict[int, dict]:
    return {row["_source_row"]: row for row in pf.rows}


def rejected_by_row(pf) -> dict[int, str]:
    return {r.source_row: r.reason for r in pf.rejected}


# --- municipality_from_address ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Brīvības iela 1, Ogre, Ogres nov., LV-5001", "Ogres nov."),
        ("Lāčplēša iela 34, Rīga, LV-1012", "Rīga"),
        ("“Ozoli”, Allažu pag., Siguldas nov., LV-2154", "Siguldas nov."),
        ("Rīgas iela 5, Cēsis, Cēsu novads, LV-4101", "Cēsu novads"),
        ("Rīgas iela 5, Jelgava, LV3001", "Jelgava"),
        (None, None),
        ("", None),
    ],
)
def test_municipality_from_address(address: str | None, expected: str | None) -> None:
    assert registry.municipality_from_address(address) == expected


# --- parse_json ---------------------------------------------------------------------------------------------


@pytest.fixture
def json_snapshot(tmp_path: Path) -> Path:
    records = [
        # 1: register number as an integer, two client groups, full address object, contacts
        json_record(),
        # 2: register number as a string, empty client-group list, state city address
        json_record(PakalpojumaSniedzejaRegistracijasNumurs="1758", KlientuGrupas=[],
                    PakalpojumaSniedzejaNosaukums="Biedrība “Rīgas Samariešu apvienība”",
                    FaktiskaAdrese={"Adrese": "Lāčplēša iela 34, Rīga, LV-1012", "VZDKods": "100000001"},
                    SniedzamaPakalpojumaNosaukums="dienas aprūpes centrs"),
        # 3: client groups missing, an unknown extra field, a pagasts address, no registration date
        json_record(PakalpojumaSniedzejaRegistracijasNumurs=1, KlientuGrupas=None, RegistresanasDatums=None,
                    JaunsLauks={"a": 1}, SniedzamaPakalpojumaNosaukums="cits: dienas centrs",
                    FaktiskaAdrese={"Adrese": "“Ozoli”, Allažu pag., Siguldas nov., LV-2154", "VZDKods": "1"}),
        # 4..7: each missing one required field
        json_record(PakalpojumaSniedzejaRegistracijasNumurs=None),
        json_record(Statuss=None),
        json_record(SniedzamaPakalpojumaNosaukums=None),
        json_record(FaktiskaAdrese=None),
        # 8: an exact duplicate of record 1
        json_record(),
        # 9: a blank status is as good as missing
        json_record(Statuss="  ", PakalpojumaSniedzejaRegistracijasNumurs=9),
    ]
    return write_json(tmp_path / "pakalpojumusniedzejudati_20240105.json", records)


def test_parse_json_good_rows(json_snapshot: Path) -> None:
    pf = registry.parse_json(json_snapshot)
    rows = by_row(pf)
    assert sorted(rows) == [1, 2, 3]
    assert pf.encoding == "utf-8"
    first = rows[1]
    assert first["register_number"] == "103"  # integer in the file, text in raw
    assert first["provider_name"] == "Ogres novada sociālais dienests"
    assert first["legal_code"] == "90000024455"
    assert first["status"] == "Sniedz"
    assert first["service_name"] == "aprūpe mājās"
    assert first["planned_clients"] == "40"
    assert first["registered_on"] == "05.03.2012"
    assert first["source_format"] == "json"
    assert rows[2]["register_number"] == "1758"  # string in the file
    assert rows[3]["register_number"] == "1"
    assert rows[2]["provider_name"] == "Biedrība “Rīgas Samariešu apvienība”"
    assert rows[3]["registered_on"] is None


def test_parse_json_client_groups_list_empty_and_missing(json_snapshot: Path) -> None:
    rows = by_row(registry.parse_json(json_snapshot))
    assert rows[1]["client_groups"] == "pensijas vecuma personas; personas ar invaliditāti"
    assert rows[2]["client_groups"] is None  # []
    assert rows[3]["client_groups"] is None  # field missing


def test_parse_json_address_object_and_municipality(json_snapshot: Path) -> None:
    rows = by_row(registry.parse_json(json_snapshot))
    assert rows[1]["address"] == "Brīvības iela 1, Ogre, Ogres nov., LV-5001"
    assert rows[1]["address_code"] == "104567890"
    assert rows[1]["municipality_text"] == "Ogres nov."
    assert rows[2]["municipality_text"] == "Rīga"
    assert rows[3]["municipality_text"] == "Siguldas nov."


def test_parse_json_contact_info_kept_as_json_text(json_snapshot: Path) -> None:
    rows = by_row(registry.parse_json(json_snapshot))
    contact = rows[1]["contact_info"]
    assert isinstance(contact, str)
    assert json.loads(contact) == {"Talrunis": ["65000000"], "Epasts": ["dienests@ogre.lv"],
                                   "Vaditajs": "Jānis Bērziņš"}
    assert "Jānis Bērziņš" in contact  # not \u-escaped


def test_parse_json_unknown_field_kept_with_warning(json_snapshot: Path) -> None:
    pf = registry.parse_json(json_snapshot)
    rows = by_row(pf)
    assert json.loads(rows[3]["extra_fields"]) == {"JaunsLauks": {"a": 1}}
    assert rows[1].get("extra_fields") is None
    assert any("row 3" in w and "JaunsLauks" in w for w in pf.warnings), pf.warnings


def test_parse_json_rejects_missing_fields_and_duplicates(json_snapshot: Path) -> None:
    pf = registry.parse_json(json_snapshot)
    reasons = rejected_by_row(pf)
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "register number" in reasons[4]
    assert "status" in reasons[5]
    assert "service name" in reasons[6]
    assert "address" in reasons[7]
    for row in (4, 5, 6, 7):
        assert reasons[row].startswith("missing"), reasons[row]
    assert reasons[8] == "duplicate of row 1 in the same file"
    assert "status" in reasons[9]
    # the original record is kept for the audit
    raw8 = next(r.raw_record for r in pf.rejected if r.source_row == 8)
    assert raw8 == json_record()
    assert pf.rows_read == len(pf.rows) + len(pf.rejected) == 9


def test_parse_json_gz(tmp_path: Path) -> None:
    path = write_json(tmp_path / "pakalpojumusniedzejudati_20240105.json.gz", [json_record()], gz=True)
    pf = registry.parse_json(path)
    assert [r["register_number"] for r in pf.rows] == ["103"]
    assert pf.rejected == []


def test_parse_json_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "pakalpojumusniedzejudati_20240105.json"
    path.write_bytes(BOM + json.dumps({"data": [json_record()]}, ensure_ascii=False).encode("utf-8"))
    pf = registry.parse_json(path)
    assert len(pf.rows) == 1
    assert pf.encoding == "utf-8-sig"


def test_parse_json_truncated_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "pakalpojumusniedzejudati_20240105.json"
    text = json.dumps({"data": [json_record(), json_record()]}, ensure_ascii=False, indent=1)
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(IngestionError) as info:
        registry.parse_json(path)
    message = str(info.value)
    assert str(path) in message
    assert "line" in message and "column" in message


@pytest.mark.parametrize(
    ("content", "label"),
    [
        (b'{"data": null}', "data_null"),
        (b"[" + json.dumps(json_record()).encode() + b"]", "top_level_list"),
        (b'{"records": []}', "no_data_key"),
        (b"", "empty_file"),
    ],
)
def test_parse_json_bad_document_raises_naming_the_file(tmp_path: Path, content: bytes, label: str) -> None:
    path = tmp_path / "pakalpojumusniedzejudati_20240105.json"
    path.write_bytes(content)
    with pytest.raises(IngestionError) as info:
        registry.parse_json(path)
    assert str(path) in str(info.value), label


def test_parse_json_empty_data_list_is_no_rows(tmp_path: Path) -> None:
    pf = registry.parse_json(write_json(tmp_path / "pakalpojumusniedzejudati_20240105.json", []))
    assert (pf.rows, pf.rejected, pf.rows_read) == ([], [], 0)


# --- parse_legacy: CSV --------------------------------------------------------------------------------------


LEGACY_LINES = [
    LEGACY_HEADER,  # line 1
    '17;Ogres novada sociālais dienests;90000024455;Pašvaldības iestāde;aprūpe mājās;Brīvības iela 1, Ogre;'
    'Ogres novads;"pensijas vecuma personas; personas ar invaliditāti";40;sniedz pakalpojumus;05.03.2012;',  # 2
    '18;Biedrība "Cerība";40008000001;Biedrība;dienas centrs;Rīgas iela 2;Cēsu novads;bērni;;plāno sniegt'
    ';01.02.2013',  # 3: 11 fields
    ';Bez numura;40008000002;Biedrība;dienas centrs;Rīgas iela 3;Cēsu novads;bērni;10;plāno sniegt;01.02.2013;',
    '20;Bez statusa;40008000003;Biedrība;dienas centrs;Rīgas iela 4;Cēsu novads;bērni;10;;01.02.2013;',  # 5
    '21;Bez pakalpojuma;40008000004;Biedrība;;Rīgas iela 5;Cēsu novads;bērni;10;plāno sniegt;01.02.2013;',  # 6
    '22;Bez vietas;40008000005;Biedrība;dienas centrs;;;bērni;10;plāno sniegt;01.02.2013;',  # 7
    '23;Jēkabpils pilsētas pansija;90000000006;Pašvaldības iestāde;pansija;;Jēkabpils pilsēta;;;'
    'pārtraucis darbību;01.01.2010;31.12.2015',  # 8: municipality without address is enough
    '',  # 9: blank line, skipped
    '24;Cesu pansija;90000000007;Pašvaldības iestāde;pansija;Pils iela 1, Cēsis;;;;sniedz pakalpojumus;'
    '01.01.2011;',  # 10: address without municipality is enough
]


@pytest.mark.parametrize(
    ("encoding", "bom", "newline", "expected_encoding"),
    [("cp1257", False, "\r\n", "cp1257"), ("utf-8", True, "\r\n", "utf-8-sig"), ("utf-8", False, "\n", "utf-8")],
    ids=["windows-1257", "utf-8-bom", "utf-8"],
)
def test_parse_legacy_csv_encodings(tmp_path: Path, encoding: str, bom: bool, newline: str,
                                    expected_encoding: str) -> None:
    path = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", LEGACY_LINES, encoding, bom, newline)
    pf = registry.parse_legacy(path)
    assert pf.encoding == expected_encoding
    rows = by_row(pf)
    assert sorted(rows) == [2, 8, 10]  # source_row is the file's line number, the header being line 1
    first = rows[2]
    assert first["register_number"] == "17"
    assert first["provider_name"] == "Ogres novada sociālais dienests"
    assert first["legal_status"] == "Pašvaldības iestāde"
    assert first["service_name"] == "aprūpe mājās"
    assert first["address"] == "Brīvības iela 1, Ogre"  # a comma inside an unquoted ;-field stays
    assert first["municipality_text"] == "Ogres novads"
    assert first["client_groups"] == "pensijas vecuma personas; personas ar invaliditāti"
    assert first["planned_clients"] == "40"
    assert first["status"] == "sniedz pakalpojumus"
    assert first["registered_on"] == "05.03.2012"
    assert first["removed_on"] is None
    assert first["source_format"] == "csv"
    assert first["extra_fields"] is None
    assert rows[8]["municipality_text"] == "Jēkabpils pilsēta"
    assert rows[8]["address"] is None
    assert rows[8]["removed_on"] == "31.12.2015"
    assert rows[8]["planned_clients"] is None
    # No `Pašvaldība` written: the municipality is taken from the address as written (here a town).
    assert rows[10]["municipality_text"] == "Cēsis"
    assert rows[10]["address"] == "Pils iela 1, Cēsis"


def test_parse_legacy_csv_rejections(tmp_path: Path) -> None:
    pf = registry.parse_legacy(write_csv(tmp_path / "sps_registrs_2014-07-01.csv", LEGACY_LINES))
    reasons = rejected_by_row(pf)
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "expected 12 fields" in reasons[3] and "found 11" in reasons[3]
    assert "register number" in reasons[4]
    assert "status" in reasons[5]
    assert "service" in reasons[6]
    assert reasons[7] == "missing municipality and address"
    raw = next(r.raw_record for r in pf.rejected if r.source_row == 5)
    assert raw["Reģ. Nr."] == "20" and raw["Sniedzēja nosaukums"] == "Bez statusa"
    assert pf.rows_read == len(pf.rows) + len(pf.rejected) == 8  # the blank line is not a row


def test_parse_legacy_csv_source_row_after_a_multiline_quoted_field(tmp_path: Path) -> None:
    """A quoted address holding a line break: the next record starts on physical line 4, and source_row must
    say so (the file line number), not 3 (the record count)."""
    multiline = LEGACY_LINES[1].replace("Brīvības iela 1, Ogre", '"Brīvības iela 1,\nOgre"')
    path = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", [LEGACY_HEADER, multiline, LEGACY_LINES[7]])
    assert path.read_text(encoding="utf-8").splitlines()[3].startswith("23;Jēkabpils pilsētas pansija")
    rows = by_row(registry.parse_legacy(path))
    assert rows[2]["address"] == "Brīvības iela 1,\nOgre"
    assert sorted(rows) == [2, 4]
    assert rows[4]["register_number"] == "23"


def test_parse_legacy_csv_duplicate_row_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", [LEGACY_LINES[0], LEGACY_LINES[1], LEGACY_LINES[1]])
    pf = registry.parse_legacy(path)
    assert sorted(by_row(pf)) == [2]
    assert rejected_by_row(pf) == {3: "duplicate of row 2 in the same file"}


@pytest.mark.parametrize(("dropped", "named"), [("Pakalpojums", "pakalpojums"), ("Reģ. Nr.", "reģ. nr.")])
def test_parse_legacy_csv_missing_required_column_raises(tmp_path: Path, dropped: str, named: str) -> None:
    keep = [j for j, name in enumerate(HEADER_FIELDS) if name != dropped]
    lines = [";".join(HEADER_FIELDS[j] for j in keep)]
    path = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", lines)
    with pytest.raises(IngestionError) as info:
        registry.parse_legacy(path)
    message = str(info.value)
    assert str(path) in message
    assert named in message.lower()


# A hand-made copy of the export: header written without diacritics, in other case, with extra spaces.
PLAIN_HEADER = ("Reg. Nr.;Sniedzeja nosaukums;Registracijas kods;Juridiskais statuss;PAKALPOJUMS;"
                "Pakalpojuma sniegsanas adrese;Pasvaldiba;Klientu grupas;Vietu  skaits; Statuss ;Registrets;Izslegts")


def test_parse_legacy_csv_header_without_diacritics_loads(tmp_path: Path) -> None:
    """Bug: `Pasvaldiba`, `Reg. Nr.` failed the file (only case was folded) while budget files accepted them."""
    path = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", [PLAIN_HEADER, *LEGACY_LINES[1:]], "cp1257")
    plain = registry.parse_legacy(path)
    as_exported = registry.parse_legacy(write_csv(tmp_path / "sps_registrs_2014-07-02.csv", LEGACY_LINES, "cp1257"))
    assert by_row(plain) == by_row(as_exported)
    assert sorted(by_row(plain)) == [2, 8, 10]
    first = by_row(plain)[2]
    assert (first["register_number"], first["municipality_text"], first["status"], first["planned_clients"],
            first["registered_on"], first["extra_fields"]) == (
        "17", "Ogres novads", "sniedz pakalpojumus", "40", "05.03.2012", None)


def test_parse_legacy_csv_missing_column_hint_compares_folded(tmp_path: Path) -> None:
    header = PLAIN_HEADER.replace("Pasvaldiba", "Pasvaldibas")
    path = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", [header])
    with pytest.raises(IngestionError) as info:
        registry.parse_legacy(path)
    message = str(info.value)
    assert message.startswith(f"{path}: missing required column(s): pašvaldība (similar: Pasvaldibas — renamed?)")


def test_parse_legacy_csv_extra_column_kept(tmp_path: Path) -> None:
    lines = [LEGACY_HEADER + ";Piezīmes", LEGACY_LINES[1] + ";pārbaudīts 2014. gadā"]
    pf = registry.parse_legacy(write_csv(tmp_path / "sps_registrs_2014-07-01.csv", lines))
    (row,) = pf.rows
    assert json.loads(row["extra_fields"]) == {"Piezīmes": "pārbaudīts 2014. gadā"}
    assert row["register_number"] == "17"


def test_parse_legacy_csv_gz(tmp_path: Path) -> None:
    path = tmp_path / "sps_registrs_2014-07-01.csv.gz"
    path.write_bytes(gzip.compress("\n".join(LEGACY_LINES[:2]).encode("cp1257"), mtime=0))
    pf = registry.parse_legacy(path)
    assert pf.encoding == "cp1257"
    assert [r["municipality_text"] for r in pf.rows] == ["Ogres novads"]


def test_parse_legacy_csv_empty_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "sps_registrs_2014-07-01.csv"
    path.write_bytes(b"")
    with pytest.raises(IngestionError, match="sps_registrs_2014-07-01.csv"):
        registry.parse_legacy(path)


# --- parse_legacy: XLSX -------------------------------------------------------------------------------------


def write_xlsx(path: Path, title: str | None = "Sociālo pakalpojumu sniedzēju reģistrs uz 01.07.2014") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Reģistrs"
    if title:
        ws.append([title])  # sheet row 1
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER_FIELDS))
    ws.append(HEADER_FIELDS)  # sheet row 2 (or 1 without a title)
    ws.append([17, "Ogres novada sociālais dienests", "90000024455", "Pašvaldības iestāde", "aprūpe mājās",
               "Brīvības iela 1, Ogre", "Ogres novads", "pensijas vecuma personas; personas ar invaliditāti", 40,
               "sniedz pakalpojumus", dt.datetime(2012, 3, 5), None])
    ws.append([None] * len(HEADER_FIELDS))  # an empty row in between
    ws.append([18.0, "Cēsu pansija", "90000000007", "Pašvaldības iestāde", "pansija", None, "Cesu novads", None,
               25.0, "pārtraucis darbību", dt.date(2010, 1, 1), dt.datetime(2013, 12, 31)])
    ws.append([19, "Bez statusa", "40008000003", "Biedrība", "dienas centrs", "Rīgas iela 4", "Cēsu novads",
               "bērni", 10, None, dt.datetime(2013, 2, 1), None])
    wb.save(path)
    return path


def test_parse_legacy_xlsx_with_title_row(tmp_path: Path) -> None:
    pf = registry.parse_legacy(write_xlsx(tmp_path / "sps_registrs_2014-07-01.xlsx"))
    rows = by_row(pf)
    assert sorted(rows) == [3, 5]  # sheet rows: title 1, header 2, data 3, empty 4, data 5
    first = rows[3]
    assert first["register_number"] == "17"  # a number cell, as text
    assert first["planned_clients"] == "40"
    assert first["registered_on"] == "05.03.2012"  # a datetime cell, as dd.mm.yyyy
    assert first["removed_on"] is None
    assert first["client_groups"] == "pensijas vecuma personas; personas ar invaliditāti"
    assert first["municipality_text"] == "Ogres novads"
    assert first["source_format"] == "xlsx"
    second = rows[5]
    assert second["register_number"] == "18"  # 18.0 stored as a float
    assert second["planned_clients"] == "25"
    assert second["registered_on"] == "01.01.2010"
    assert second["removed_on"] == "31.12.2013"
    assert second["municipality_text"] == "Cesu novads"
    assert rejected_by_row(pf) == {6: "missing status"}
    assert pf.rows_read == 3


def test_parse_legacy_xlsx_without_title_row(tmp_path: Path) -> None:
    pf = registry.parse_legacy(write_xlsx(tmp_path / "sps_registrs_2014-07-01.xlsx", title=None))
    assert sorted(by_row(pf)) == [2, 4]
    assert rejected_by_row(pf) == {5: "missing status"}


def test_parse_legacy_xlsx_header_without_diacritics_found_below_a_title(tmp_path: Path) -> None:
    """The header row is found by `Reģ. Nr.` compared folded: `REG. NR.` or `"Reg. Nr."` in a cell is the header."""
    expected = by_row(registry.parse_legacy(write_xlsx(tmp_path / "sps_registrs_2014-07-01.xlsx")))
    path = write_xlsx(tmp_path / "sps_registrs_2014-07-02.xlsx")
    wb = load_workbook(path)
    plain = ['"REG. NR."', *PLAIN_HEADER.split(";")[1:]]
    for j, name in enumerate(plain, start=1):
        wb.active.cell(row=2, column=j, value=name)
    wb.save(path)
    pf = registry.parse_legacy(path)
    assert by_row(pf) == expected
    assert sorted(by_row(pf)) == [3, 5]


def test_parse_legacy_xlsx_without_dimension_element(tmp_path: Path) -> None:
    """Many xlsx writers omit the sheet's optional `<dimension>` element; then openpyxl's read-only rows stop at
    the last non-empty cell. A row whose `Izslēgts` (last column) is empty, the usual case, has an empty value
    there, not a missing field, and must be read exactly as from the same workbook with the element."""
    source = tmp_path / "a"
    source.mkdir()
    original = write_xlsx(source / "sps_registrs_2014-07-01.xlsx")
    target = tmp_path / "b"
    target.mkdir()
    stripped = target / original.name
    buffer = io.BytesIO()
    with zipfile.ZipFile(original) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data, n = re.subn(rb"<dimension[^>]*/>", b"", data)
                assert n == 1
            zout.writestr(item, data)
    stripped.write_bytes(buffer.getvalue())

    expected = registry.parse_legacy(original)
    got = registry.parse_legacy(stripped)
    assert rejected_by_row(got) == rejected_by_row(expected) == {6: "missing status"}
    assert by_row(got) == by_row(expected)
    assert sorted(by_row(got)) == [3, 5]


def test_parse_legacy_corrupt_xlsx_raises(tmp_path: Path) -> None:
    path = tmp_path / "sps_registrs_2014-07-01.xlsx"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))
    with pytest.raises(IngestionError) as info:
        registry.parse_legacy(path)
    assert str(path) in str(info.value)


def test_parse_legacy_xlsx_without_header_raises(tmp_path: Path) -> None:
    path = tmp_path / "sps_registrs_2014-07-01.xlsx"
    wb = Workbook()
    wb.active.append(["nav", "galvenes"])
    wb.save(path)
    with pytest.raises(IngestionError, match="sps_registrs_2014-07-01.xlsx"):
        registry.parse_legacy(path)


# --- snapshot_date_of ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pakalpojumusniedzejudati_20240105.json", dt.date(2024, 1, 5)),
        ("pakalpojumusniedzejudati_20231231.json.gz", dt.date(2023, 12, 31)),
        ("sps_registrs_2012-07-01.csv", dt.date(2012, 7, 1)),
        ("sps_registrs_2016-01-01.xlsx", dt.date(2016, 1, 1)),
        ("pakalpojumusniedzejudati_20231301.json", None),  # month 13
        ("pakalpojumusniedzejudati_20230230.json", None),  # 30 February
        ("sps_registrs_2012-13-01.csv", None),
        ("sps_registrs_20120701.csv", None),
        ("pakalpojumusniedzejudati_2024-01-05.json", None),
        ("pakalpojumusniedzejudati_20240105.csv", None),
        ("sps_registrs_2012-07-01.json", None),
        ("sps_registrs_2012-07-01.xls", None),
        ("pakalpojumusniedzejudati_20240105.json.bak", None),
        ("readme.txt", None),
    ],
)
def test_snapshot_date_of(name: str, expected: dt.date | None) -> None:
    assert registry.snapshot_date_of(Path("landing") / "registry" / name) == expected


# --- landing.scan -------------------------------------------------------------------------------------------


def test_landing_scan_registry_files(tmp_path: Path) -> None:
    reg = tmp_path / "registry"
    reg.mkdir()
    json_file = write_json(reg / "pakalpojumusniedzejudati_20240105.json", [json_record()])
    gz_file = write_json(reg / "pakalpojumusniedzejudati_20230105.json.gz", [json_record()], gz=True)
    csv_file = write_csv(reg / "sps_registrs_2012-07-01.csv", LEGACY_LINES[:2], "cp1257")
    xlsx_file = write_xlsx(reg / "sps_registrs_2014-07-01.xlsx")
    unknown = reg / "pakalpojumi_vecie.txt"
    unknown.write_text("nav reģistra fails", encoding="utf-8")
    bad_date = write_json(reg / "pakalpojumusniedzejudati_20231301.json", [])
    stray = tmp_path / "piezimes.csv"
    stray.write_text("a;b\n", encoding="utf-8")
    (reg / ".DS_Store").write_bytes(b"\0")

    scanned = landing_mod.scan(tmp_path)
    assert scanned.register_snapshots() == {
        "2024-01-05": [json_file],
        "2023-01-05": [gz_file],
        "2012-07-01": [csv_file],
        "2014-07-01": [xlsx_file],
    }
    assert set(scanned.ignored) == {unknown, bad_date, stray}
    assert set(scanned.absent_sources()) == set(landing_mod.SOURCES) - {"registry"}
    assert "registry" not in scanned.absent_sources()


def test_landing_scan_two_files_for_one_snapshot_are_grouped(tmp_path: Path) -> None:
    reg = tmp_path / "registry"
    reg.mkdir()
    a = write_csv(reg / "sps_registrs_2014-07-01.csv", LEGACY_LINES[:2])
    b = write_xlsx(reg / "sps_registrs_2014-07-01.xlsx")
    assert landing_mod.scan(tmp_path).register_snapshots() == {"2014-07-01": [a, b]}


def test_landing_scan_missing_folder(tmp_path: Path) -> None:
    scanned = landing_mod.scan(tmp_path / "nav")
    assert scanned.register_snapshots() == {}
    assert scanned.ignored == []
    assert set(scanned.absent_sources()) == set(landing_mod.SOURCES)


# --- load_snapshot into DuckDB ------------------------------------------------------------------------------


@pytest.fixture
def warehouse(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield con
    con.close()


def counts(con, snapshot: dt.date) -> tuple[int, int, int]:
    raw = con.execute(f"select count(*) from raw.{registry.TABLE} where _snapshot_date = ?", [snapshot]).fetchone()
    rej = con.execute("select count(*) from audit.rejected_rows where source = 'registry' and partition_key = ?",
                      [snapshot.isoformat()]).fetchone()
    log = con.execute("select count(*) from audit.load_log where source = 'registry' and partition_key = ?",
                      [snapshot.isoformat()]).fetchone()
    return raw[0], rej[0], log[0]


def test_load_snapshot_writes_rows_and_audit(tmp_path: Path, json_snapshot: Path, warehouse) -> None:
    snapshot = dt.date(2024, 1, 5)
    totals, warnings = registry.load_snapshot(warehouse, snapshot, [json_snapshot])
    assert (totals["rows_read"], totals["rows_loaded"], totals["rows_rejected"]) == (9, 3, 6)
    assert any("JaunsLauks" in w for w in warnings)

    raw = warehouse.execute(f"""select register_number, municipality_text, _source_file, _source_row,
                                       _snapshot_date, _file_sha256
                                from raw.{registry.TABLE} order by _source_row""").fetchall()
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in raw] == [
        ("103", "Ogres nov.", json_snapshot.name, 1, snapshot),
        ("1758", "Rīga", json_snapshot.name, 2, snapshot),
        ("1", "Siguldas nov.", json_snapshot.name, 3, snapshot),
    ]
    assert all(len(r[5]) == 64 for r in raw)

    (log,) = warehouse.execute("""select source, source_file, rows_read, rows_loaded, rows_rejected, encoding,
                                         partition_key, sha256
                                  from audit.load_log""").fetchall()
    assert log[:7] == ("registry", json_snapshot.name, 9, 3, 6, "utf-8", "2024-01-05")
    assert log[2] == log[3] + log[4]
    assert log[7] == raw[0][5]

    rejected = warehouse.execute("""select source, source_file, source_row, reason, raw_record
                                    from audit.rejected_rows order by source_row""").fetchall()
    assert [(r[0], r[1], r[2]) for r in rejected] == [
        ("registry", json_snapshot.name, n) for n in (4, 5, 6, 7, 8, 9)]
    assert "register number" in rejected[0][3]
    assert rejected[4][3] == "duplicate of row 1 in the same file"
    raw_record = json.loads(rejected[0][4])
    assert "PakalpojumaSniedzejaRegistracijasNumurs" not in raw_record
    assert raw_record["SniedzamaPakalpojumaNosaukums"] == "aprūpe mājās"


def test_load_snapshot_is_idempotent(tmp_path: Path, json_snapshot: Path, warehouse) -> None:
    snapshot = dt.date(2024, 1, 5)
    registry.load_snapshot(warehouse, snapshot, [json_snapshot])
    first = counts(warehouse, snapshot)
    registry.load_snapshot(warehouse, snapshot, [json_snapshot])
    assert counts(warehouse, snapshot) == first == (3, 6, 1)


def test_load_snapshot_keeps_other_snapshots(tmp_path: Path, json_snapshot: Path, warehouse) -> None:
    legacy = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", LEGACY_LINES, "cp1257")
    registry.load_snapshot(warehouse, dt.date(2014, 7, 1), [legacy])
    registry.load_snapshot(warehouse, dt.date(2024, 1, 5), [json_snapshot])
    registry.load_snapshot(warehouse, dt.date(2014, 7, 1), [legacy])
    assert counts(warehouse, dt.date(2014, 7, 1)) == (3, 5, 1)
    assert counts(warehouse, dt.date(2024, 1, 5)) == (3, 6, 1)
    logs = warehouse.execute("select source_file, rows_read, rows_loaded, rows_rejected, encoding "
                             "from audit.load_log order by source_file").fetchall()
    assert logs == [("pakalpojumusniedzejudati_20240105.json", 9, 3, 6, "utf-8"),
                    ("sps_registrs_2014-07-01.csv", 8, 3, 5, "cp1257")]


def test_load_snapshot_xlsx(tmp_path: Path, warehouse) -> None:
    snapshot = dt.date(2014, 7, 1)
    path = write_xlsx(tmp_path / "sps_registrs_2014-07-01.xlsx")
    totals, _ = registry.load_snapshot(warehouse, snapshot, [path])
    assert (totals["rows_read"], totals["rows_loaded"], totals["rows_rejected"]) == (3, 2, 1)
    rows = warehouse.execute(f"select register_number, planned_clients, registered_on, _source_row "
                             f"from raw.{registry.TABLE} order by _source_row").fetchall()
    assert rows == [("17", "40", "05.03.2012", 3), ("18", "25", "01.01.2010", 5)]
    assert warehouse.execute("select source_row, reason from audit.rejected_rows").fetchall() == [
        (6, "missing status")]
    assert warehouse.execute("select encoding from audit.load_log").fetchall() == [("xlsx",)]


def test_load_snapshot_unreadable_file_leaves_previous_load(tmp_path: Path, json_snapshot: Path,
                                                            warehouse) -> None:
    snapshot = dt.date(2024, 1, 5)
    registry.load_snapshot(warehouse, snapshot, [json_snapshot])
    before = counts(warehouse, snapshot)
    json_snapshot.write_text('{"data": [', encoding="utf-8")
    with pytest.raises(IngestionError, match=json_snapshot.name):
        registry.load_snapshot(warehouse, snapshot, [json_snapshot])
    assert counts(warehouse, snapshot) == before == (3, 6, 1)


def test_load_snapshot_two_files_raise_naming_both(tmp_path: Path, warehouse) -> None:
    a = write_csv(tmp_path / "sps_registrs_2014-07-01.csv", LEGACY_LINES[:2])
    b = write_xlsx(tmp_path / "sps_registrs_2014-07-01.xlsx")
    with pytest.raises(IngestionError) as info:
        registry.load_snapshot(warehouse, dt.date(2014, 7, 1), [a, b])
    assert a.name in str(info.value) and b.name in str(info.value)


@pytest.mark.parametrize("address, expected", [
    ("Lāčplēša iela 34, Rīga, LV 1012", "Rīga"),  # postcode written with a space
    ("Rīga, LV-1012", "Rīga"),
    ("Brīvības iela 1, LV-1010", None),  # only a street: nothing names the municipality
])
def test_municipality_from_address_edge_cases(address, expected):
    assert registry.municipality_from_address(address) == expected


def test_many_snapshots_parse_in_worker_processes_and_errors_come_back_named(tmp_path, monkeypatch):
    """load_snapshots parses in worker processes: good snapshots load in order, and a broken file's IngestionError
    crosses the process boundary with its file and reason (it must pickle)."""
    monkeypatch.setattr(registry, "PARALLEL_FROM_BYTES", 0)  # workers even for these small files
    sample = Path(__file__).resolve().parents[2] / "data" / "sample" / "landing" / "registry"
    broken = tmp_path / "pakalpojumusniedzejudati_20200301.json"
    broken.write_text('{"data": [', encoding="utf-8")
    empty = tmp_path / "pakalpojumusniedzejudati_20200401.json"
    empty.write_text("", encoding="utf-8")
    good = sorted(sample.glob("sps_registrs_201[0-2]-*.csv"))
    jobs = sorted((registry.snapshot_date_of(f), [f]) for f in [*good, broken, empty])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        results = list(registry.load_snapshots(con, jobs, workers=2))
        sequential = {d: registry.load_snapshot(con, d, files, force=True)[0]["rows_loaded"]
                      for d, files in jobs[:3]}
    assert [r[0] for r in results] == [d for d, _ in jobs]
    loaded = {snapshot: totals["rows_loaded"] for snapshot, totals, _, error in results if error is None}
    assert loaded == sequential and all(n > 0 for n in loaded.values())
    errors = {snapshot: error for snapshot, _, _, error in results if error is not None}
    assert set(errors) == {dt.date(2020, 3, 1), dt.date(2020, 4, 1)}
    assert "invalid JSON" in errors[dt.date(2020, 3, 1)].reason and errors[dt.date(2020, 3, 1)].path == str(broken)
    assert "empty file" in str(errors[dt.date(2020, 4, 1)])
