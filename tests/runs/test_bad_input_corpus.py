"""The register's bad-input corpus: one real pipeline run over a landing folder full of broken files (shared with the
other sources' corpus), each case asserting a clear message naming the file (and row) with the reason, and that
nothing is lost — every row of every readable file is in raw or in audit.rejected_rows, and a file that cannot be
read fails only its own partition."""

import csv
import gzip
import io
import json
import os

import pytest

from tests.conftest import SAMPLE_LANDING

HEADER = ["Reģ. Nr.", "Sniedzēja nosaukums", "Reģistrācijas kods", "Juridiskais statuss", "Pakalpojums",
          "Pakalpojuma sniegšanas adrese", "Pašvaldība", "Klientu grupas", "Vietu skaits", "Statuss", "Reģistrēts",
          "Izslēgts"]


def _row(n: int, **over) -> list[str]:
    row = dict(zip(HEADER, [str(n), f"Biedrība “Rūpes {n}”", "40008000000", "Biedrība", "dienas centrs",
                            "Skolas iela 1", "Ogres novads", "", "10", "sniedz pakalpojumus", "01.02.2011", ""]))
    row.update(over)
    return [row[h] for h in HEADER]


def _csv(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def _record(n: int, **over) -> dict:
    rec = {"PakalpojumaSniedzejaRegistracijasNumurs": n, "PakalpojumaSniedzejaNosaukums": f"Biedrība “Gaisma {n}”",
           "RegistracijasNumurs": "40008000001", "JuridiskaisStatuss": "Biedrība", "Statuss": "Sniedz",
           "SniedzamaPakalpojumaNosaukums": "Dienas aprūpes centrs",
           "FaktiskaAdrese": {"Adrese": "Pils iela 2, Ogres nov., LV-5001", "VZDKods": "1"},
           "RegistresanasDatums": "01.02.2020"}
    rec.update(over)
    return rec


def _json(records) -> bytes:
    return json.dumps({"data": records}, ensure_ascii=False).encode("utf-8")


SQLISH = "Robert'); drop table raw.registry_provider_services; --"

# name -> (bytes, expectation); expectation kinds: ("error", text) the file fails with text in the message;
# ("rejected", {row: reason-substring}) rows rejected with reasons, the rest loaded; ("loaded", n) n rows loaded;
# ("ignored", text) the file is not loaded and the run names it with text.
CASES = {
    # encodings
    "sps_registrs_2014-05-01.csv": (_csv([_row(1, **{"Pašvaldība": "Cēsu novads"})], encoding="cp1257"),
                                    ("loaded", 1)),
    "sps_registrs_2014-05-02.csv": (_csv([_row(1, **{"Pašvaldība": "Cēsu novads"})], encoding="utf-16"),
                                    ("loaded", 1)),
    "sps_registrs_2014-05-03.csv": (_csv([_row(1)]) + _csv([_row(2, **{"Pašvaldība": "Cēsu novads"})],
                                                           header=None, encoding="cp1257"),
                                    ("loaded", 2)),
    "sps_registrs_2014-05-04.csv": (_csv([_row(1)]) + _csv([_row(2)], encoding="utf-8-sig"),
                                    ("error", "byte-order mark in the middle")),
    # JSON shapes
    "pakalpojumusniedzejudati_20200301.json": (_json([_record(1), _record(2)])[:-40],
                                               ("error", "invalid JSON at line")),
    "pakalpojumusniedzejudati_20200302.json": (b'{"data": null}', ("error", 'expected an object {"data": [...]}')),
    "pakalpojumusniedzejudati_20200303.json": (b"", ("error", "empty file")),
    "pakalpojumusniedzejudati_20200304.json.gz": (b"not gzip at all", ("error", "not a readable gzip file")),
    # headers
    "sps_registrs_2014-05-05.csv": (_csv([]), ("loaded", 0)),
    "sps_registrs_2014-05-06.csv": (_csv([_row(1)[:-3] + _row(1)[-2:]], header=HEADER[:-3] + HEADER[-2:]),
                                    ("error", "missing required column(s): statuss")),
    "sps_registrs_2014-05-07.csv": (_csv([_row(1)], header=HEADER[:9] + ["Status"] + HEADER[10:]),
                                    ("error", "similar: Status")),
    "sps_registrs_2014-05-08.csv": (_csv([_row(1) + ["piezīme"]], header=HEADER + ["Piezīmes"]), ("loaded", 1)),
    # rows
    "sps_registrs_2014-05-09.csv": (_csv([_row(1), _row(1), _row(2)]), ("rejected", {3: "duplicate of row 2"})),
    "sps_registrs_2014-05-10.csv": (_csv([_row(1, **{"Reģistrēts": "vakar"}), _row(2, **{"Reģistrēts": "31.02.2011"}),
                                          _row(3)]),
                                    ("rejected", {2: "registration date 'vakar' is not a date",
                                                  3: "registration date '31.02.2011' is not a date"})),
    "sps_registrs_2014-05-11.csv": (_csv([_row(1), _row(2)[:5]]), ("rejected", {3: "expected 12 fields, found 5"})),
    "sps_registrs_2014-05-12.csv": (_csv([_row(1, **{"Reģ. Nr.": "12a"})]),
                                    ("rejected", {2: "register number is not a whole number"})),
    "pakalpojumusniedzejudati_20200305.json": (_json([_record(1), "not an object", _record(2, Statuss=None)]),
                                               ("rejected", {2: "not a JSON object", 3: "missing status"})),
    # names and dates of files
    "pakalpojumusniedzejudati_20991231.json": (_json([_record(1)]), ("error", "in the future")),
    "pakalpojumusniedzejudati_20231301.json": (_json([_record(1)]), ("ignored", "2023-13-01 is not a date")),
    # content the pipeline must carry, not choke on
    "pakalpojumusniedzejudati_20200306.json": (_json([_record(1, SniedzamaPakalpojumaNosaukums=SQLISH,
                                                              PakalpojumaSniedzejaNosaukums=SQLISH,
                                                              JuridiskaisStatuss=SQLISH, Statuss="Sniedz",
                                                              FaktiskaAdrese={"Adrese": SQLISH + ", LV-1000"})]),
                                               ("loaded", 1)),
    "pakalpojumusniedzejudati_20230601.json": (_json([
        _record(1, FaktiskaAdrese={"Adrese": "Pils iela 1, Atlantīdas nov., LV-9999"}),
        _record(2, FaktiskaAdrese={"Adrese": "Pils iela 1, Ikšķiles nov., LV-5052"}),
        _record(3, SniedzamaPakalpojumaNosaukums="pilnīgi jauns pakalpojums")]), ("loaded", 3)),
}
# Same content twice for one snapshot loads once; different content twice fails that snapshot.
TWINS = {
    "pakalpojumusniedzejudati_20200307.json": _json([_record(7)]),
    "pakalpojumusniedzejudati_20200307.json.gz": gzip.compress(_json([_record(7)]), mtime=0),
    "sps_registrs_2014-05-13.csv": _csv([_row(1)]),
    "sps_registrs_2014-05-13.xlsx": b"PK\x03\x04 a different file",
}
BIG_ROWS = 400_000  # about 50 MB of CSV with one bad line at the very end


def write_registry_corpus(root):
    """The register's broken files under root/landing/registry (the run is shared with the other sources' corpus:
    tests/runs/conftest.py)."""
    registry = root / "landing" / "registry"
    registry.mkdir(parents=True)
    for name, (content, _) in CASES.items():
        (registry / name).write_bytes(content)
    for name, content in TWINS.items():
        (registry / name).write_bytes(content)
    big = [_row(i) for i in range(1, BIG_ROWS + 1)] + [["broken", "line"]]
    (registry / "sps_registrs_2014-05-14.csv").write_bytes(_csv(big))
    # A link out of the landing folder is never followed.
    outside = root / "outside.json"
    outside.write_bytes(_json([_record(1)]))
    os.symlink(outside, registry / "pakalpojumusniedzejudati_20200308.json")
    # A good snapshot beside the bad ones still loads and reaches the marts.
    (registry / "sps_registrs_2012-01-02.csv").write_bytes(
        (SAMPLE_LANDING / "registry" / "sps_registrs_2012-01-02.csv").read_bytes())


@pytest.fixture(scope="module")
def corpus_run(bad_input_run):
    return bad_input_run


def _loaded(run, name):
    return run.query("select rows_read, rows_loaded, rows_rejected from audit.load_log where source_file = ?",
                     [name])


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(corpus_run, name):
    kind, expected = CASES[name][1]
    out = corpus_run.output
    if kind == "error" or kind == "ignored":
        assert any(name in line and expected in line for line in out.splitlines()), (name, out[-4000:])
        assert _loaded(corpus_run, name) == []
    else:
        [(read, loaded, rejected)] = _loaded(corpus_run, name)
        assert read == loaded + rejected
        in_raw = corpus_run.scalar("select count(*) from raw.registry_provider_services where _source_file = ?",
                                   [name])
        assert in_raw == loaded
        reasons = dict(corpus_run.query("select source_row, reason from audit.rejected_rows where source_file = ?",
                                        [name]))
        if kind == "loaded":
            assert loaded == expected and rejected == 0, reasons
        else:
            assert set(reasons) == set(expected), reasons
            for row, text in expected.items():
                assert text in reasons[row], (row, reasons[row])


def test_the_run_fails_but_good_partitions_reach_the_marts(corpus_run):
    assert corpus_run.returncode == 1
    assert corpus_run.scalar("select count(*) from marts.fct_provider_services "
                             "where snapshot_date = date '2012-01-02'") == 893


def test_same_content_twice_loads_once_and_different_content_fails(corpus_run):
    assert len(_loaded(corpus_run, "pakalpojumusniedzejudati_20200307.json")) == 1
    assert "same content as pakalpojumusniedzejudati_20200307.json" in corpus_run.output
    assert "2 different files for snapshot 2014-05-13" in corpus_run.output


def test_a_big_file_with_one_bad_line_at_the_end(corpus_run):
    [(read, loaded, rejected)] = _loaded(corpus_run, "sps_registrs_2014-05-14.csv")
    assert (read, loaded, rejected) == (BIG_ROWS + 1, BIG_ROWS, 1)
    assert corpus_run.query("select source_row, reason from audit.rejected_rows where source_file = ?",
                            ["sps_registrs_2014-05-14.csv"]) == [(BIG_ROWS + 2, "expected 12 fields, found 2")]


def test_a_link_out_of_the_landing_folder_is_not_followed(corpus_run):
    assert "pakalpojumusniedzejudati_20200308.json" in corpus_run.output
    assert "points outside the landing folder" in corpus_run.output
    assert _loaded(corpus_run, "pakalpojumusniedzejudati_20200308.json") == []


def test_strange_text_is_data_not_sql(corpus_run):
    assert corpus_run.scalar("select count(*) from marts.fct_provider_services "
                             "where service_name_as_written = ?", [SQLISH]) == 1
    assert corpus_run.scalar("select count(*) from raw.registry_provider_services") > 893


def test_unknown_and_abolished_municipalities(corpus_run):
    rows = dict(corpus_run.query("""
        select f.municipality_as_written, m.name_lv from marts.fct_provider_services f
        left join marts.dim_municipality m on m.municipality_key = f.municipality_key
        where f.source_file = 'pakalpojumusniedzejudati_20230601.json'"""))
    assert rows["Atlantīdas nov."] is None  # kept, flagged by a warning-level test
    assert rows["Ikšķiles nov."] == "Ogres novads"  # abolished in 2021: today's successor
    assert "warn" in corpus_run.output
