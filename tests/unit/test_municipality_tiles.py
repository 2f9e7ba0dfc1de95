"""The tile map of the report's coverage chart (seed municipality_tiles, docs/marts.md#coverage-by-territory): every
current municipality of the seed municipalities has exactly one square, no two share one, the names agree, and the
squares form one piece of map (each touches another), with Rīga amid its ring and the state cities beside the
novads around them."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def _seed(name: str) -> list[dict]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _tiles() -> dict[str, tuple[int, int]]:
    return {r["atvk_code"]: (int(r["tile_column"]), int(r["tile_row"])) for r in _seed("municipality_tiles")}


def _current() -> dict[str, str]:
    return {r["atvk_code"]: r["name_lv"] for r in _seed("municipalities") if not r["valid_to"]}


def test_every_current_municipality_has_exactly_one_tile():
    rows = _seed("municipality_tiles")
    codes = Counter(r["atvk_code"] for r in rows)
    assert [code for code, n in codes.items() if n > 1] == []
    current = _current()
    assert len(current) == 42  # the 43 of the 2021 reform, Varakļānu novads merged into Madonas novads in 2025
    assert set(codes) == set(current)
    assert {r["atvk_code"]: r["name_lv"] for r in rows} == current


def test_no_two_municipalities_share_a_square():
    squares = Counter(_tiles().values())
    assert [square for square, n in squares.items() if n > 1] == []
    assert all(col >= 0 and row >= 0 for col, row in squares)


def test_the_tiles_form_one_map():
    tiles = _tiles()
    taken = set(tiles.values())

    def touching(square):
        col, row = square
        return {(col + dc, row + dr) for dc in (-1, 0, 1) for dr in (-1, 0, 1) if (dc, dr) != (0, 0)} & taken

    assert [code for code, square in tiles.items() if not touching(square)] == []
    seen, todo = set(), [next(iter(taken))]
    while todo:
        square = todo.pop()
        if square not in seen:
            seen.add(square)
            todo.extend(touching(square) - seen)
    assert seen == taken


def test_rough_geography():
    tiles = _tiles()
    names = {name: code for code, name in _current().items()}

    def at(name):
        return tiles[names[name]]

    # west to east, north to south, as on a map
    assert at("Liepāja")[0] < at("Rīga")[0] < at("Daugavpils")[0]
    assert at("Valkas novads")[1] < at("Rīga")[1] < at("Augšdaugavas novads")[1]
    # a state city sits beside the novads around it; Rīga touches its ring
    for city, novads in (("Ventspils", "Ventspils novads"), ("Jelgava", "Jelgavas novads"),
                         ("Rēzekne", "Rēzeknes novads"), ("Daugavpils", "Augšdaugavas novads"),
                         ("Liepāja", "Dienvidkurzemes novads")):
        (c1, r1), (c2, r2) = at(city), at(novads)
        assert max(abs(c1 - c2), abs(r1 - r2)) == 1, (city, novads)
    riga = at("Rīga")
    for ring in ("Jūrmala", "Mārupes novads", "Ķekavas novads", "Salaspils novads", "Ādažu novads"):
        col, row = at(ring)
        assert max(abs(col - riga[0]), abs(row - riga[1])) == 1, ring
