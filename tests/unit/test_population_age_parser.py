"""The reader of the population-by-age file (docs/inputs.md#population-by-age-group): territory and age-group labels,
the rules it shares with the population file (encodings, `..`, a title above the year header, counts), and each
rejection with its reason, on small purpose-made files; and loading it into a throwaway warehouse, the GX suite's
sum rule included."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from expectations import population_age as suite
from ingestion import population_age
from ingestion.common import BOM, IngestionError

HEADER = '"Teritoriālā vienība";"Vecuma grupa";"2023";"2024"'


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    body = "\r\n".join(lines).encode(encoding) + b"\r\n"
    path.write_bytes((BOM if encoding == "utf-8" else b"") + body)
    return path


@pytest.mark.parametrize(("label", "code"), [("Pavisam", "total"), ("0–17", "0_17"), ("0-17 gadi", "0_17"),
                                             ("18 – 64", "18_64"), ("65 un vairāk", "65_plus"),
                                             ("65 UN VAIRAK", "65_plus"), ("65+", "65_plus")])
def test_age_groups_as_written(label: str, code: str) -> None:
    assert population_age.parse_age_group(label) == code


def test_territories_as_written() -> None:
    assert population_age.parse_territory("LV0040000 Ogres novads") == ("0040000", "Ogres novads", None)
    assert population_age.parse_territory("LV0040000  Ogres novads /  Madlienas   pagasts") == \
        ("0040000", "Ogres novads", "Madlienas pagasts")
    for label in ("Ogres novads (līdz 01.07.2021.)", "Ogres novads", "LV0040000 Ogres novads / "):
        with pytest.raises(ValueError):
            population_age.parse_territory(label)


def test_file_is_unpivoted_with_reasons_for_what_it_turns_away(tmp_path: Path) -> None:
    path = write(tmp_path / "iedzivotaji_vecuma_grupas.csv", [
        '"Iedzīvotāju skaits gada sākumā"',  # a title above the header
        HEADER,
        '"LV0040000 Ogres novads";"Pavisam";"54 000";53500',
        '"LV0040000 Ogres novads";"0–17";"..";9000',
        '"LV0040000 Ogres novads / Madlienas pagasts";"65 un vairāk";300;"x"',
        '"LV0040000 Ogres novads";"Pavisam";1;2',  # the same territory and group again
        '"LV0040000 Ogres novads";"bērni";1;2',
        '"LV9999999 Nekurienes novads";"Pavisam";1;2',
        '"LV0040000 Ogres novads";"18–64";1',
        '',
    ], encoding="cp1257")
    pf = population_age.parse_file(path)
    assert pf.encoding == "cp1257"
    values = {(r["territorial_unit"], r["age_group"], r["year"]): r["population"] for r in pf.rows}
    assert values == {(None, "total", 2023): 54000, (None, "total", 2024): 53500, (None, "0_17", 2023): None,
                      (None, "0_17", 2024): 9000, ("Madlienas pagasts", "65_plus", 2023): 300}
    reasons = {(r.source_row, r.raw_record["year"]): r.reason for r in pf.rejected}
    assert reasons[(5, 2024)] == "population is not a number: 'x'"
    assert reasons[(6, 2023)] == "duplicate of row 3 (same territory and age group)"
    assert reasons[(7, 2023)].startswith("age group is none of")
    assert reasons[(8, 2023)].startswith("ATVK code 9999999")
    assert reasons[(9, 2023)] == "expected 4 fields, found 3"
    assert pf.rows_read == len(pf.rows) + len(pf.rejected) == 14


def test_file_without_the_two_dimension_header_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "iedzivotaji_vecuma_grupas.csv", ['"Teritoriālā vienība";"2023";"2024"',
                                                              '"LV0040000 Ogres novads";1;2'])
    with pytest.raises(IngestionError, match="iedzivotaji_vecuma_grupas.csv.*Vecuma grupa"):
        population_age.parse_file(path)


def test_load_replaces_the_table_and_the_suite_checks_the_groups_add_up(tmp_path: Path) -> None:
    lines = [HEADER] + [f'"LV0040000 Ogres novads";"{g}";{a};{b}' for g, a, b in
                        (("Pavisam", 100, 90), ("0–17", 20, 18), ("18–64", 60, 52), ("65 un vairāk", 20, 20))]
    path = write(tmp_path / "iedzivotaji_vecuma_grupas.csv", lines)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        population_age.load(con, [path])
        totals, _ = population_age.load(con, [path])  # again: replaced, not doubled
        assert (totals["rows_read"], totals["rows_loaded"]) == (8, 8)
        assert con.execute("select count(*) from raw.population_by_age").fetchone()[0] == 8
        gaps = con.execute(f"select distinct year, groups_minus_total from ({suite.QUERY}) order by 1").fetchall()
        assert gaps == [(2023, 0), (2024, 0)]
        # A total that is not the sum of its groups shows as a gap the suite's expectation (0 to 0) refuses.
        write(path, lines[:-1] + ['"LV0040000 Ogres novads";"65 un vairāk";21;20'])
        population_age.load(con, [path])
        gaps = dict(con.execute(f"select distinct year, groups_minus_total from ({suite.QUERY})").fetchall())
        assert gaps == {2023: 1, 2024: 0}


def test_the_suite_fails_on_a_file_whose_groups_do_not_add_up(tmp_path: Path) -> None:
    """The whole GX suite, as the asset check runs it on the loaded table: a good file passes; a file whose 65+ is
    one more than the total leaves fails on that rule alone, for the territory and year it concerns."""
    from expectations.runner import validate_frame

    def validated(lines: list[str]):
        path = write(tmp_path / "iedzivotaji_vecuma_grupas.csv", [HEADER, *lines])
        with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
            population_age.load(con, [path])
            frame = con.execute(suite.QUERY).df()
        return frame, validate_frame(frame, suite.SUITE, suite.expectations)

    good = [f'"LV0040000 Ogres novads";"{g}";{a};{b}' for g, a, b in
            (("Pavisam", 100, 90), ("0–17", 20, 18), ("18–64", 60, 52), ("65 un vairāk", 20, 20))]
    frame, summary = validated(good)
    assert summary.success and len(frame) == 8
    _, summary = validated(good[:3] + ['"LV0040000 Ogres novads";"65 un vairāk";20;21'])
    assert [(f["column"], f["unexpected_count"]) for f in summary.failed] == [("groups_minus_total", 4)]
