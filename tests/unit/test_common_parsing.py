"""The shared reading rules of `ingestion.common` (docs/inputs.md#shared-reading-rules): encodings, Latvian dates and
numbers, gzipped files. Every quirk is shown with a small purpose-made input and the value it must give."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from ingestion.common import (
    BOM,
    LV_DIACRITICS,
    LV_PLAIN,
    IngestionError,
    decode_text,
    fold_header,
    parse_lv_date,
    parse_lv_number,
    read_bytes,
)

LATVIAN = "Cēsu novads; Jēkabpils pilsēta; Rīga; Ogres nov.; Ķegums; Šķilbēni; Žīguri; Ļaudona"


# --- decode_text --------------------------------------------------------------------------------------------


def test_decode_text_plain_utf8() -> None:
    text, enc = decode_text(LATVIAN.encode("utf-8"))
    assert (text, enc) == (LATVIAN, "utf-8")


def test_decode_text_utf8_with_bom_strips_the_bom() -> None:
    text, enc = decode_text(BOM + LATVIAN.encode("utf-8"))
    assert text == LATVIAN
    assert not text.startswith("\ufeff")
    assert enc == "utf-8-sig"


def test_decode_text_windows_1257() -> None:
    data = "Cēsu novads; Jēkabpils pilsēta".encode("cp1257")
    assert data == b"C\xe7su novads; J\xe7kabpils pils\xe7ta"  # the input really is single-byte Windows-1257
    text, enc = decode_text(data)
    assert text == "Cēsu novads; Jēkabpils pilsēta"
    assert enc == "cp1257"


def test_decode_text_windows_1257_all_latvian_letters() -> None:
    text, enc = decode_text(LATVIAN.encode("cp1257"))
    assert (text, enc) == (LATVIAN, "cp1257")


def test_decode_text_ascii_only_is_utf8() -> None:
    assert decode_text(b"Reg. Nr.;Statuss\r\n1;sniedz\r\n") == ("Reg. Nr.;Statuss\r\n1;sniedz\r\n", "utf-8")


def test_decode_text_bom_in_the_middle_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sps_registrs_2012-01-01.csv"
    data = BOM + "a;b\n1;Cēsis\n".encode() + BOM + "a;b\n2;Rīga\n".encode()
    with pytest.raises(IngestionError) as info:
        decode_text(data, path)
    assert str(path) in str(info.value)
    assert info.value.path == str(path)
    assert "byte-order mark" in info.value.reason


def test_decode_text_bom_in_the_middle_without_leading_bom_raises(tmp_path: Path) -> None:
    path = tmp_path / "concatenated.csv"
    data = "a;b\n1;Cēsis\n".encode() + BOM + b"a;b\n2;Riga\n"
    with pytest.raises(IngestionError, match="concatenated.csv"):
        decode_text(data, path)


def test_decode_text_utf8_bom_after_windows_1257_text_raises(tmp_path: Path) -> None:
    """A Windows-1257 export with a UTF-8 (BOM) file appended: the BOM bytes are still a BOM in the middle, and
    must not be silently decoded as the Windows-1257 letters 'ļ»æ'."""
    path = tmp_path / "mixed.csv"
    data = "a;b\n1;Cēsu novads\n".encode("cp1257") + BOM + b"a;b\n2;Riga\n"
    with pytest.raises(IngestionError, match="mixed.csv"):
        decode_text(data, path)


# --- parse_lv_date ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05.03.2012", dt.date(2012, 3, 5)),
        ("5.3.2012", dt.date(2012, 3, 5)),
        ("31.12.2016.", dt.date(2016, 12, 31)),  # trailing dot, as Latvian dates are often written
        (" 01.07.2021 ", dt.date(2021, 7, 1)),
        ("2021-07-01", dt.date(2021, 7, 1)),
        ("2021-07-01T00:00:00", dt.date(2021, 7, 1)),
        ("2021-07-01 12:30:00", dt.date(2021, 7, 1)),
    ],
)
def test_parse_lv_date_valid(value: str, expected: dt.date) -> None:
    assert parse_lv_date(value) == expected


@pytest.mark.parametrize("value", [None, "", "   "])
def test_parse_lv_date_empty_is_none(value: str | None) -> None:
    assert parse_lv_date(value) is None


@pytest.mark.parametrize("value", ["garbage", "31/12/2016", "31.12.16", "2016-1-5", "32.01.2016", "29.02.2015",
                                   "2016-13-01", "01.01.2016 extra"])
def test_parse_lv_date_garbage_raises_value_error(value: str) -> None:
    with pytest.raises(ValueError):
        parse_lv_date(value)


# --- parse_lv_number ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 234 567,89", 1234567.89),
        ("1\u00a0234\u00a0567,89", 1234567.89),  # no-break space as thousands separator
        ("1\u202f234,5", 1234.5),  # narrow no-break space
        ("12345,67", 12345.67),
        ("-1 234,50", -1234.5),
        ("0,5", 0.5),
        ("1234", 1234.0),
        ("1234.5", 1234.5),
        (" 42 ", 42.0),
        (17, 17.0),
        (2.5, 2.5),
    ],
)
def test_parse_lv_number_valid(value, expected: float) -> None:
    result = parse_lv_number(value)
    assert isinstance(result, float)
    assert result == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "..", "-"])
def test_parse_lv_number_no_value_is_none(value) -> None:
    assert parse_lv_number(value) is None


@pytest.mark.parametrize("value", ["abc", "12a", "1,2,3", "EUR 100", "1 234,56 EUR"])
def test_parse_lv_number_garbage_raises_value_error(value: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_lv_number(value)


# --- read_bytes ---------------------------------------------------------------------------------------------


def test_read_bytes_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes(b"a;b\n1;2\n")
    assert read_bytes(path) == b"a;b\n1;2\n"


def test_read_bytes_gunzips_gz(tmp_path: Path) -> None:
    content = b'{"data": []}'
    path = tmp_path / "pakalpojumusniedzejudati_20240105.json.gz"
    path.write_bytes(gzip.compress(content))
    assert read_bytes(path) == content


def test_read_bytes_does_not_gunzip_other_suffixes(tmp_path: Path) -> None:
    packed = gzip.compress(b"abc")
    path = tmp_path / "file.json"
    path.write_bytes(packed)
    assert read_bytes(path) == packed


def _gz_corruptions() -> dict[str, bytes]:
    good = gzip.compress(b"Cesu novads;Jekabpils pilseta\n" * 200, mtime=0)
    return {
        "not_gzip_at_all": b"this is plain text, not gzip",
        "truncated": good[: len(good) // 2],
        "bad_crc": good[:-8] + b"\x00\x00\x00\x00" + good[-4:],
        # a valid gzip header followed by a damaged deflate stream (a bit-flipped download)
        "damaged_body": good[:10] + b"\xff" * 20 + good[30:],
    }


@pytest.mark.parametrize("kind", sorted(_gz_corruptions()))
def test_read_bytes_corrupt_gzip_raises_ingestion_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.json.gz"
    path.write_bytes(_gz_corruptions()[kind])
    with pytest.raises(IngestionError) as info:
        read_bytes(path)
    assert str(path) in str(info.value)
    assert "gzip" in info.value.reason


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN"])
def test_parse_lv_number_rejects_non_finite(text):
    with pytest.raises(ValueError):
        parse_lv_number(text)


@pytest.mark.parametrize("text", ["1,234.50", "1,234,5"])
def test_parse_lv_number_refuses_english_or_ambiguous_notation(text):
    with pytest.raises(ValueError):
        parse_lv_number(text)


def test_parse_lv_number_dots_as_thousands_before_a_decimal_comma():
    assert parse_lv_number("1.234,5") == 1234.5
    assert parse_lv_number("1.234.567,89") == 1234567.89


# --- fold_header --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "folded"), [
    ("Pašvaldība", "pasvaldiba"),
    ("Pasvaldiba", "pasvaldiba"),
    ("PAŠVALDĪBA", "pasvaldiba"),
    ("Reģ. Nr.", "reg. nr."),
    ("  Reg.  Nr. ", "reg. nr."),
    ("Vietu\u00a0\tskaits", "vietu skaits"),
    ("\ufeffGads", "gads"),  # a byte-order mark left in the first cell
    ('"Reģ. Nr."', "reg. nr."),  # a quoted cell pasted into a workbook
    ("„Klientu grupas”", "klientu grupas"),
    ("Kopējās izmaksas, LVL", "kopejas izmaksas, lvl"),
    ("ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž", "acegiklnsuz acegiklnsuz"),
    (None, ""),
    (17, "17"),
])
def test_fold_header(written, folded: str) -> None:
    assert fold_header(written) == folded


def test_the_diacritics_table_is_the_dbt_macros() -> None:
    """One table, two languages: the dbt macro `fold_lv` translates exactly the letters Python folds."""
    macro = (Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "latvian_text.sql").read_text("utf-8")
    assert f"'{LV_DIACRITICS}', '{LV_PLAIN.lower()}'" in macro
