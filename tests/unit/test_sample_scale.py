"""The benchmark-sized sample (`python -m ingestion.sample --scale N`): monthly snapshots, N times the providers with
the sample's quirks and reject share, deterministic, written outside the repository, and read by the real register
parser. Each test writes a few months only, so that the file runs in seconds."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import duckdb
import pytest

from ingestion import registry
from ingestion.sample.__main__ import main as generate
from ingestion.sample.scaled import monthly_dates, snapshot_file_name, write_scaled_register
from tests.conftest import REPO, SAMPLE_LANDING

SEED = 20120102
# One month of each kind: the calibrated date, a legacy CSV with planted rejects, a January workbook, a JSON
# snapshot with a planted reject, a JSON January the sample ships uncompressed.
MONTHS = [dt.date(2012, 1, 2), dt.date(2013, 6, 2), dt.date(2016, 1, 2), dt.date(2019, 6, 2), dt.date(2023, 1, 2)]


@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> dict[int, tuple[Path, dict[str, int]]]:
    """Landing folders at scale 1 and 3 holding the snapshots of MONTHS: scale -> (folder, records per file)."""
    out = {}
    for scale in (1, 3):
        landing = tmp_path_factory.mktemp(f"scale{scale}")
        written = {}
        for on in MONTHS:
            written.update(write_scaled_register(landing, SEED, scale, on, on, progress=None))
        out[scale] = landing, written
    return out


def load(path: Path, tmp_path: Path) -> dict:
    """Load one snapshot file with the pipeline's own loader; return its row totals."""
    on = registry.snapshot_date_of(path)
    with duckdb.connect(str(tmp_path / f"{path.name}.duckdb")) as con:
        totals, _ = registry.load_snapshot(con, on, [path])
    return totals


def test_snapshots_are_monthly_in_the_sample_format_of_their_year():
    dates = monthly_dates(dt.date(2010, 1, 2), dt.date(2026, 1, 2))
    assert len(dates) == 16 * 12 + 1
    assert all(d.day == 2 for d in dates)
    assert dates[11:14] == [dt.date(2010, 12, 2), dt.date(2011, 1, 2), dt.date(2011, 2, 2)]
    names = {d: snapshot_file_name(d) for d in dates}
    assert names[dt.date(2013, 5, 2)] == "sps_registrs_2013-05-02.csv"
    assert [d for d, n in names.items() if n.endswith(".xlsx")] == [dt.date(2014, 1, 2), dt.date(2016, 1, 2)]
    assert names[dt.date(2016, 12, 2)] == "sps_registrs_2016-12-02.csv"
    assert names[dt.date(2017, 1, 2)] == "pakalpojumusniedzejudati_20170102.json.gz"
    assert all(n.endswith(".json.gz") for d, n in names.items() if d.year >= 2017)


def test_scale_multiplies_the_providers_of_every_snapshot(scaled):
    one, three = scaled[1][1], scaled[3][1]
    assert one.keys() == three.keys() == {snapshot_file_name(d) for d in MONTHS}
    # The calibrated date holds exactly the sample's 893 records per replica; other dates about N times as many.
    assert one["sps_registrs_2012-01-02.csv"] == 893
    assert three["sps_registrs_2012-01-02.csv"] == 3 * 893
    for name in one:
        assert three[name] == pytest.approx(3 * one[name], rel=0.05), name


def test_scale_one_januaries_are_the_samples_snapshots(scaled):
    """At scale 1 the register is the sample's universe, so its January snapshots carry the same records, spelt
    the same way, as the committed sample (which compresses differently and ships 2023 as plain JSON)."""
    landing = scaled[1][0] / "registry"
    sample = SAMPLE_LANDING / "registry"
    name = "sps_registrs_2012-01-02.csv"
    assert (landing / name).read_bytes() == (sample / name).read_bytes()
    generated = gzip.decompress((landing / "pakalpojumusniedzejudati_20230102.json.gz").read_bytes())
    assert generated == (sample / "pakalpojumusniedzejudati_20230102.json").read_bytes()


@pytest.mark.parametrize("name, sample_name", [
    ("sps_registrs_2013-06-02.csv", "sps_registrs_2013-01-02.csv"),
    ("sps_registrs_2016-01-02.xlsx", "sps_registrs_2016-01-02.xlsx"),
    ("pakalpojumusniedzejudati_20190602.json.gz", "pakalpojumusniedzejudati_20190102.json.gz"),
])
def test_the_register_parser_loads_scaled_snapshots_like_the_samples(scaled, tmp_path, name, sample_name):
    generated = load(scaled[3][0] / "registry" / name, tmp_path)
    sample = load(SAMPLE_LANDING / "registry" / sample_name, tmp_path)
    assert generated["rows_read"] == scaled[3][1][name]
    assert generated["rows_loaded"] == pytest.approx(3 * sample["rows_loaded"], rel=0.05)
    # The planted rejects come N times, so their share is the sample's of that year.
    assert generated["rows_rejected"] == 3 * sample["rows_rejected"]
    if name.endswith(".xlsx"):
        assert generated["rows_rejected"] == 0
    else:
        assert generated["rows_rejected"] > 0


def test_same_seed_and_scale_give_the_same_bytes_and_numbers_stay_unique(tmp_path):
    args = ["--scale", "2", "--first", "2016-01", "--last", "2017-01"]
    for run in ("a", "b"):
        assert generate([*args, "--out", str(tmp_path / run / "landing")]) == 0
    files = {run: {p.relative_to(tmp_path / run): p.read_bytes() for p in (tmp_path / run).rglob("*") if p.is_file()}
             for run in ("a", "b")}
    assert files["a"] == files["b"]
    registry_files = sorted(p.name for p in files["a"] if p.parts[1] == "registry")
    assert registry_files == sorted(snapshot_file_name(d) for d in monthly_dates(dt.date(2016, 1, 2),
                                                                                dt.date(2017, 1, 2)))
    parsed = registry.parse_file(tmp_path / "a" / "landing" / "registry" / "pakalpojumusniedzejudati_20170102.json.gz")
    units = {(r["register_number"], r["legal_code"]) for r in parsed.rows}
    assert len({number for number, _ in units}) == len({code for _, code in units}) == len(units)


def test_a_scaled_sample_is_never_written_into_the_repository(tmp_path, capsys):
    inside = REPO / "data" / "scaled"
    with pytest.raises(SystemExit) as exc:
        generate(["--scale", "2", "--out", str(inside)])
    assert exc.value.code == 2
    assert "inside the repository" in capsys.readouterr().err
    assert not inside.exists()
    with pytest.raises(SystemExit):
        generate(["--first", "2012-01"])
    assert "need --scale" in capsys.readouterr().err
    # Nor does it delete a folder that holds more than a landing folder would.
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        generate(["--scale", "1", "--first", "2012-01", "--last", "2012-01", "--out", str(tmp_path)])
    assert "refusing to replace" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "keep me"
