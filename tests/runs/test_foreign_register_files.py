"""A landing folder holding only register files written by someone else to docs/inputs.md#register-json (a few records
as the real register writes them): the pipeline runs, the absent sources only warn, and every record lands in
fct_provider_services or in audit.rejected_rows."""

import csv
import io
import json

import pytest

from tests.conftest import copy_run, in_process_run, run_in_process

JSON_RECORDS = [
    {"PakalpojumaSniedzejaRegistracijasNumurs": 1, "PakalpojumaSniedzejaNosaukums": "Rīgas Sociālais dienests",
     "RegistracijasNumurs": "90011524360", "JuridiskaisStatuss": "Pašvaldības iestāde", "Statuss": "Sniedz",
     "SniedzamaPakalpojumaNosaukums": "sociālais, tai skaitā pašvaldības sociālais dienests",
     "PakalpojumaSniegsanasForma": "bez izmitināšanas", "PlanotaisKlientuSkaits": None,
     "KlientiPecVecumaUnDzimuma": "bērni un pilngadīgas personas (abu dzimumu)", "KlientuGrupas": [],
     "FaktiskaAdrese": {"Adrese": "Baznīcas iela 19/23, Rīga, LV-1010", "VZDKods": "101909617"},
     "KontaktInformacija": {"Talrunis": "+371 67105028", "Epasts": "rsd@riga.lv"},
     "RegistresanasDatums": "03.07.2003"},
    {"PakalpojumaSniedzejaRegistracijasNumurs": "103",
     "PakalpojumaSniedzejaNosaukums": "Valsts sociālās aprūpes centrs \"Zemgale\" filiāle \"Jelgava\"",
     "RegistracijasNumurs": "90009113532", "JuridiskaisStatuss": "Valsts iestādes struktūrvienība",
     "Statuss": "sniedz ", "SniedzamaPakalpojumaNosaukums": "Ilgstoša sociālā aprūpe un sociālā rehabilitācija",
     "PakalpojumaSniegsanasForma": "ar izmitināšanu", "PlanotaisKlientuSkaits": 250,
     "KlientiPecVecumaUnDzimuma": "pilngadīgas personas (abu dzimumu)",
     "KlientuGrupas": [{"KlientuGrupasNosaukums": "personas ar garīga rakstura traucējumiem"}],
     "FaktiskaAdrese": {"Adrese": "Filozofu iela 69, Jelgava, LV-3001", "VZDKods": "102425543"}},
    {"PakalpojumaSniedzejaRegistracijasNumurs": 1758, "PakalpojumaSniedzejaNosaukums": "Jānis Paraudziņš",
     "RegistracijasNumurs": "010180-12345", "JuridiskaisStatuss": "fiziska persona", "Statuss": "Plāno sniegt",
     "SniedzamaPakalpojumaNosaukums": "cits: Dienas centrs", "PakalpojumaSniegsanasForma": "bez izmitināšanas",
     "FaktiskaAdrese": {"Adrese": "“Lejas”, Ikšķiles pag., Ogres nov., LV-5052", "VZDKods": "105432"}},
    {"PakalpojumaSniedzejaRegistracijasNumurs": 2001, "PakalpojumaSniedzejaNosaukums": "Biedrība “Mēs esam”",
     "RegistracijasNumurs": "40008012345", "JuridiskaisStatuss": "Biedrība", "Statuss": "Pārtraukta darbība",
     "SniedzamaPakalpojumaNosaukums": "pavisam jauns pakalpojuma nosaukums",
     "FaktiskaAdrese": {"Adrese": "Skolas iela 2, Kuldīgas nov., LV-3301"}, "JaunsLauks": 1},
    {"PakalpojumaSniedzejaRegistracijasNumurs": 2002, "PakalpojumaSniedzejaNosaukums": "SIA “Bez adreses”",
     "RegistracijasNumurs": "40008054321", "JuridiskaisStatuss": "SIA", "Statuss": "Sniedz",
     "SniedzamaPakalpojumaNosaukums": "Aprūpe mājās"},
]
LEGACY_HEADER = ("Reģ. Nr.;Sniedzēja nosaukums;Reģistrācijas kods;Juridiskais statuss;Pakalpojums;"
                 "Pakalpojuma sniegšanas adrese;Pašvaldība;Klientu grupas;Vietu skaits;Statuss;Reģistrēts;Izslēgts")
LEGACY_ROWS = [
    ["1", "Rīgas pilsētas Sociālais dienests", "90011524360", "Pašvaldības iestāde", "sociālais dienests",
     "Baznīcas iela 19/23", "Rīgas pilsēta", "", "", "sniedz pakalpojumus", "03.07.2003", ""],
    ["103", "VSAC “Zemgale” filiāle “Jelgava”", "90009113532", "Valsts iestāde",
     "ilgstošas sociālās aprūpes un sociālās rehabilitācijas institūcija", "Filozofu iela 69", "Jelgava",
     "invalīdi ar fiziska rakstura traucējumiem; redzes invalīdi", "250", "sniedz pakalpojumus", "01.01.2004", ""],
    ["412", "Cēsu novada pašvaldības aģentūra", "90000031048", "Pašvaldības aģentūra", "aprūpe mājās",
     "Bērzaines iela 16", "Cesu novads", "pensijas vecuma personas", "", "plāno sniegt", "15.03.2011", ""],
    ["", "Bez numura", "", "Biedrība", "dienas centrs", "Parka iela 1", "Ogres nov.", "", "", "sniedz pakalpojumus",
     "", ""],
]


@pytest.fixture(scope="module")
def foreign_run(tmp_path_factory, in_process_root):
    work = in_process_run(in_process_root)
    registry = work.landing / "registry"
    registry.mkdir()
    (registry / "pakalpojumusniedzejudati_20240301.json").write_text(
        json.dumps({"data": JSON_RECORDS}, ensure_ascii=False, indent=1), encoding="utf-8")
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(LEGACY_ROWS)
    (registry / "sps_registrs_2012-01-02.csv").write_bytes((LEGACY_HEADER + "\r\n" + buf.getvalue()).encode("cp1257"))
    (registry / "README.txt").write_text("not a snapshot", encoding="utf-8")
    return copy_run(run_in_process(work), tmp_path_factory.mktemp("foreign") / "run")


def test_runs_and_warns_about_absent_sources(foreign_run):
    assert foreign_run.returncode == 0, foreign_run.output[-3000:]
    assert "warning: no files for source 'budget_expenditure'" in foreign_run.output
    assert "ignored registry/README.txt: a file of unknown name" in foreign_run.output


def test_every_record_lands_in_the_fact_or_the_rejected_rows(foreign_run):
    expected = {"pakalpojumusniedzejudati_20240301.json": len(JSON_RECORDS),
                "sps_registrs_2012-01-02.csv": len(LEGACY_ROWS)}
    for name, total in expected.items():
        in_fact = foreign_run.scalar("select count(*) from marts.fct_provider_services where source_file = ?", [name])
        rejected = foreign_run.scalar("select count(*) from audit.rejected_rows where source_file = ?", [name])
        assert in_fact + rejected == total, name
        rows = {r for (r,) in foreign_run.query("select source_row from marts.fct_provider_services "
                                                 "where source_file = ? union all select source_row from "
                                                 "audit.rejected_rows where source_file = ?", [name, name])}
        assert len(rows) == total
    reasons = dict(foreign_run.query("select source_file, reason from audit.rejected_rows"))
    assert reasons["pakalpojumusniedzejudati_20240301.json"] == "missing address"
    assert reasons["sps_registrs_2012-01-02.csv"] == "missing register number"


def test_records_are_conformed(foreign_run):
    rows = foreign_run.query("""
        select f.snapshot_date, f.register_number, f.status, m.name_lv, c.name_lv, s.service_code
        from marts.fct_provider_services f
        left join marts.dim_municipality m on m.municipality_key = f.municipality_key
        left join marts.dim_municipality c on c.municipality_key = f.current_municipality_key
        join marts.dim_service s on s.service_key = f.service_key
        order by 1, 2""")
    by_key = {(str(d), n): rest for d, n, *rest in rows}
    assert by_key[("2012-01-02", 1)] == ["providing", "Rīga", "Rīga", "municipal_social_service"]
    assert by_key[("2012-01-02", 412)] == ["planning", "Cēsu novads", "Cēsu novads", "home_care"]
    assert by_key[("2024-03-01", 103)] == ["providing", "Jelgava", "Jelgava", "ltc_institution"]
    assert by_key[("2024-03-01", 1758)] == ["planning", "Ogres novads", "Ogres novads", "day_centre"]
    assert by_key[("2024-03-01", 2001)] == ["stopped", "Kuldīgas novads", "Kuldīgas novads", "unmapped"]
    # The unknown service name is flagged by a warning-level dbt test, not dropped.
    assert "warned" in foreign_run.output


def test_personal_data_stays_in_raw(foreign_run):
    assert foreign_run.scalar("select count(*) from raw.registry_provider_services "
                              "where legal_code = '010180-12345'") == 1
    names = [n for (n,) in foreign_run.query("select provider_name from marts.dim_provider")]
    assert "Jānis Paraudziņš" not in names
    assert any(n.startswith("Fiziska persona #") for n in names)
