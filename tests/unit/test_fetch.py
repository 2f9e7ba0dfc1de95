"""`lvsocial fetch` end to end against a real local HTTP server imitating data.gov.lv's CKAN and the statistics
bureau's PxWeb (tests/fetch_server.py): the first fetch, the same bytes under a new daily name, a new version, and
every way a download goes wrong. After each failure: a `failed` manifest line with the reason, and nothing new or
changed in the archive or the landing folder. Nothing here touches the internet."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from pathlib import Path

import pytest

from ingestion import population
from ingestion.fetch import archive, catalogue, fetcher
from ingestion.fetch.http import HttpClient
from tests.conftest import SAMPLE_LANDING
from tests.fetch_server import PublisherServer, Reply, jsonstat2

CAT = catalogue.load()
REG, CFLA, POP = CAT.sources["registry"], CAT.sources["esf_cfla_2014_2020"], CAT.sources["population"]
REGISTER = json.dumps({"data": [{"PakalpojumaSniedzejaRegistracijasNumurs": 1, "Statuss": "Sniedz"},
                                {"PakalpojumaSniedzejaRegistracijasNumurs": 2, "Statuss": "Plāno sniegt"}]},
                      ensure_ascii=False).encode("utf-8")
CFLA_LIST = b"".join((SAMPLE_LANDING / "esf" / "es_fondu_projekti_2014_2020.csv").read_bytes().splitlines(True)[:6])
AREAS = [("LV0001000", "Rīga"), ("LV0040000", "Ogres novads"), ("X1", "Ogres novads (līdz 01.07.2021.)")]
POPULATION = jsonstat2(AREAS, ["2020", "2021"], {(0, 1): 614618, (1, 1): 55000, (2, 0): 56000})
MANIFEST_FIELDS = ["source", "url", "resource_id", "retrieved_at", "http_status", "etag", "last_modified", "bytes",
                   "sha256", "outcome", "reason", "archive_path", "landing_path"]


@pytest.fixture
def server():
    srv = PublisherServer().start()
    yield srv
    srv.stop()


class Fetch:
    """A landing folder and an archive under tmp_path, a client that records its waits instead of sleeping."""

    def __init__(self, tmp_path: Path, server: PublisherServer):
        self.landing, self.archive, self.server = tmp_path / "landing", tmp_path / "archive", server
        self.waits: list[float] = []

    def __call__(self, *names: str, read_timeout: float = 5.0) -> list[fetcher.Result]:
        client = HttpClient(sleep=self.waits.append, read_timeout=read_timeout, connect_timeout=2.0)
        return fetcher.fetch_all(CAT, list(names), client, landing=self.landing, archive_root=self.archive,
                                 portal=self.server.portal, pxweb_base=self.server.pxweb)

    def files(self) -> dict[str, str]:
        """Every file of the archive (but the manifest) and of the landing folder, with its SHA-256."""
        return {f"{root.name}/{p.relative_to(root)}": _sha(p.read_bytes())
                for root in (self.archive, self.landing) if root.exists() for p in sorted(root.rglob("*"))
                if p.is_file() and p.name != archive.MANIFEST}

    def manifest(self) -> list[dict]:
        path = self.archive / archive.MANIFEST
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture
def fetch(tmp_path, server):
    return Fetch(tmp_path, server)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _register(server, name="pakalpojumusniedzejudati_20261201.json", *replies: Reply):
    server.ckan_source(REG.package, "res-1", name, "JSON", *(replies or (Reply(body=REGISTER),)))


def _assert_failed_and_untouched(fetch: Fetch, before: dict, *reason_parts: str) -> dict:
    assert fetch.files() == before, "a failed fetch changed the archive or the landing folder"
    line = fetch.manifest()[-1]
    assert line["outcome"] == "failed" and line["archive_path"] is None and line["landing_path"] is None
    for part in reason_parts:
        assert part in line["reason"], line["reason"]
    leftovers = [p for root in (fetch.archive, fetch.landing) if root.exists() for p in root.rglob(".*")]
    assert not leftovers, f"temporary files left: {leftovers}"
    return line


def test_first_fetch_archives_read_only_and_lands_each_source(fetch, server):
    _register(server)
    server.ckan_source(CFLA.package, "res-2", "es_fondu_projektu_saraksts.csv", "CSV", Reply(body=CFLA_LIST))
    server.pxweb_table(POP.table, Reply(body=POPULATION, content_type="application/json"))
    results = fetch("registry", "esf_cfla_2014_2020", "population")
    assert [r.outcome for r in results] == ["new", "new", "new"], [r.reason for r in results]
    lines = fetch.manifest()
    assert [list(line) for line in lines] == [MANIFEST_FIELDS] * 3
    reg, cfla, pop = lines
    assert reg["url"] == server.download_url(REG.package, "res-1", "pakalpojumusniedzejudati_20261201.json")
    assert reg["resource_id"] == "res-1" and reg["http_status"] == 200 and reg["bytes"] == len(REGISTER)
    assert reg["sha256"] == _sha(REGISTER)
    assert re.fullmatch(r"registry/\d{8}T\d{6}Z__" + _sha(REGISTER)[:12] + r"\.json", reg["archive_path"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", reg["retrieved_at"])
    for line in lines:
        stored = fetch.archive / line["archive_path"]
        assert _sha(stored.read_bytes()) == line["sha256"]
        assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), "archive file writable"
    assert Path(reg["landing_path"]) == fetch.landing / "registry" / "pakalpojumusniedzejudati_20261201.json"
    assert Path(reg["landing_path"]).read_bytes() == REGISTER
    assert (fetch.landing / "esf" / "es_fondu_projekti_2014_2020.csv").read_bytes() == CFLA_LIST
    # The PxWeb answer is archived as served and lands in the population reader's format.
    assert pop["resource_id"] == POP.table and (fetch.archive / pop["archive_path"]).read_bytes() == POPULATION
    parsed = population.parse_file(fetch.landing / "reference" / "iedzivotaji.csv")
    got = {(r["area_label"], r["year"]): r["population"] for r in parsed.rows}
    assert not parsed.rejected
    assert got == {("LV0001000 Rīga", 2020): None, ("LV0001000 Rīga", 2021): 614618,
                   ("LV0040000 Ogres novads", 2020): None, ("LV0040000 Ogres novads", 2021): 55000,
                   ("Ogres novads (līdz 01.07.2021.)", 2020): 56000, ("Ogres novads (līdz 01.07.2021.)", 2021): None}
    user_agents = {headers.get("User-Agent") for _, _, headers, _ in server.requests}
    assert len(user_agents) == 1 and "lvsocial" in user_agents.pop()
    (query,) = [json.loads(body) for method, _, _, body in server.requests if method == "POST"]
    assert query["response"] == {"format": "json-stat2"} and query["query"] == POP.query


def test_same_bytes_under_a_new_daily_name_is_unchanged(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json")
    fetch("registry")
    before = fetch.files()
    _register(server, "pakalpojumusniedzejudati_20261202.json")
    (result,) = fetch("registry")
    assert result.outcome == "unchanged", result.reason
    assert fetch.files() == before, "unchanged bytes gave a new archive or landing file"
    line = fetch.manifest()[-1]
    assert line["archive_path"] is None and line["sha256"] == _sha(REGISTER)
    assert Path(line["landing_path"]).name == "pakalpojumusniedzejudati_20261201.json"
    assert not (fetch.landing / "registry" / "pakalpojumusniedzejudati_20261202.json").exists()


def test_changed_bytes_are_a_new_version_beside_the_old(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json")
    fetch("registry")
    changed = REGISTER.replace(b"Sniedz", b"Sniedz ")
    _register(server, "pakalpojumusniedzejudati_20261203.json", Reply(body=changed))
    (result,) = fetch("registry")
    assert result.outcome == "new"
    versions = list((fetch.archive / "registry").iterdir())
    assert sorted(_sha(p.read_bytes()) for p in versions) == sorted([_sha(REGISTER), _sha(changed)])
    assert {p.name for p in (fetch.landing / "registry").iterdir()} == {
        "pakalpojumusniedzejudati_20261201.json", "pakalpojumusniedzejudati_20261203.json"}


def test_a_fresh_landing_folder_gets_the_unchanged_version_under_its_first_name(fetch, server, tmp_path):
    _register(server, "pakalpojumusniedzejudati_20261201.json")
    fetch("registry")
    fetch.landing = tmp_path / "other_landing"
    _register(server, "pakalpojumusniedzejudati_20261202.json")
    (result,) = fetch("registry")
    assert result.outcome == "unchanged"
    assert [p.name for p in (fetch.landing / "registry").iterdir()] == ["pakalpojumusniedzejudati_20261201.json"]
    assert len(list((fetch.archive / "registry").iterdir())) == 1


def test_503s_then_success_backs_off_from_one_second(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(503), Reply(503), Reply(body=REGISTER))
    (result,) = fetch("registry")
    assert result.outcome == "new", result.reason
    assert fetch.waits == [1.0, 2.0]
    assert sum("HTTP 503" in n for n in result.notes) == 2


def test_redirects_are_followed_and_the_final_url_recorded(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(302, headers={"Location": "/files/reg.json"}))
    server.route("GET", "/files/reg.json", Reply(body=REGISTER))
    assert fetch("registry")[0].outcome == "new"
    assert fetch.manifest()[-1]["url"] == server.url + "/files/reg.json"


def test_429_honours_retry_after(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json",
              Reply(429, headers={"Retry-After": "7"}), Reply(body=REGISTER))
    (result,) = fetch("registry")
    assert result.outcome == "new" and fetch.waits == [7.0]


def test_a_server_that_keeps_failing_is_given_up_after_four_tries(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(body=REGISTER))
    fetch("registry")
    before = fetch.files()
    _register(server, "pakalpojumusniedzejudati_20261202.json", Reply(502))
    (result,) = fetch("registry")
    assert result.outcome == "failed" and fetch.waits == [1.0, 2.0, 4.0]
    line = _assert_failed_and_untouched(fetch, before, "HTTP 502", "4 tries")
    assert line["http_status"] == 502


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_a_truncated_body_never_lands(fetch, server, gzip):
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(body=REGISTER))
    fetch("registry")
    before = fetch.files()
    cut = Reply(body=REGISTER.replace(b"Sniedz", b"Nesniedz"), cut_to=20, gzip=gzip)
    _register(server, "pakalpojumusniedzejudati_20261202.json", cut)
    (result,) = fetch("registry")
    assert result.outcome == "failed"
    _assert_failed_and_untouched(fetch, before, "cut short", "4 tries")


def test_a_stalled_body_times_out(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(body=REGISTER * 1, stall=1.5))
    (result,) = fetch("registry", read_timeout=0.2)
    assert result.outcome == "failed"
    _assert_failed_and_untouched(fetch, {}, "timed out", "4 tries")


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/json"])
def test_an_html_page_served_with_200_is_refused(fetch, server, content_type):
    page = b"<!DOCTYPE html>\n<html><body>Sistemas apkope / maintenance</body></html>"
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(body=page, content_type=content_type))
    (result,) = fetch("registry")
    _assert_failed_and_untouched(fetch, {}, "an HTML page")
    assert fetch.manifest()[-1]["sha256"] == _sha(page)  # what came is recorded, not kept


def test_a_csv_with_the_wrong_header_is_refused(fetch, server):
    server.ckan_source(CFLA.package, "res-2", "es_fondu_projektu_saraksts.csv", "CSV", Reply(body=CFLA_LIST))
    fetch("esf_cfla_2014_2020")
    before = fetch.files()
    wrong = CFLA_LIST.replace(b"ProjektaNumurs", b"Numurs", 1)
    server.ckan_source(CFLA.package, "res-2", "es_fondu_projektu_saraksts.csv", "CSV", Reply(body=wrong))
    (result,) = fetch("esf_cfla_2014_2020")
    _assert_failed_and_untouched(fetch, before, "not a CFLA project list", "project_number (ProjektaNumurs)")


@pytest.mark.parametrize("body, reason", [
    (b'{"records": []}', 'not a JSON object {"data": [...]}'),
    (b'{"data": []}', 'an empty "data" list'),
    (b'{"data": [1, 2', "invalid JSON at line 1"),
])
def test_a_register_document_of_another_shape_is_refused(fetch, server, body, reason):
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(body=body))
    fetch("registry")
    _assert_failed_and_untouched(fetch, {}, reason)


def test_gzip_encoded_bodies_are_decoded_before_hashing(fetch, server):
    _register(server, "pakalpojumusniedzejudati_20261201.json", Reply(body=REGISTER, gzip=True))
    server.pxweb_table(POP.table, Reply(body=POPULATION, gzip=True, content_type="application/json"))
    assert [r.outcome for r in fetch("registry", "population")] == ["new", "new"]
    reg, pop = fetch.manifest()
    assert reg["sha256"] == _sha(REGISTER) and reg["bytes"] == len(REGISTER)
    assert (fetch.archive / reg["archive_path"]).read_bytes() == REGISTER
    assert (fetch.archive / pop["archive_path"]).read_bytes() == POPULATION
    # The same bytes served plain are the same version.
    _register(server, "pakalpojumusniedzejudati_20261202.json", Reply(body=REGISTER))
    assert fetch("registry")[0].outcome == "unchanged"


def test_a_package_that_does_not_exist(fetch, server):
    (result,) = fetch("esf_cfla_2021_2027")  # the server knows no package: CKAN's 404 {"success": false}
    line = _assert_failed_and_untouched(fetch, {}, "no package 'bfa55ed7-f58c-48c4-bf8e-cb7ff4f12b05'", "Not found")
    assert line["http_status"] == 404 and fetch.waits == []  # a 404 is not retried


def test_a_package_without_the_resource_names_what_it_has(fetch, server):
    server.package(REG.package, [{"id": "x", "name": "readme.pdf", "format": "PDF"}])
    fetch("registry")
    _assert_failed_and_untouched(fetch, {}, "has no JSON resource", "'readme.pdf' (PDF)")


def test_the_newest_matching_resource_is_picked(fetch, server):
    server.package(REG.package, [
        {"id": "old", "name": "pakalpojumusniedzejudati_20261130.json", "created": "2026-11-30T06:00:00"},
        {"id": "new", "name": "pakalpojumusniedzejudati_20261201.json", "created": "2026-12-01T06:00:00"},
        {"id": "csv", "name": "pakalpojumusniedzejudati_20261202.csv", "format": "CSV", "created": "2026-12-02"}])
    server.serve_file(REG.package, "new", "pakalpojumusniedzejudati_20261201.json", Reply(body=REGISTER))
    assert fetch("registry")[0].outcome == "new"
    assert fetch.manifest()[-1]["resource_id"] == "new"


def test_json_stat2_is_read_in_its_own_dimension_order_and_csv_answers_too(fetch, server, tmp_path):
    reordered = jsonstat2(AREAS, ["2020", "2021"], {(0, 1): 614618, (1, 1): 55000, (2, 0): 56000},
                          order=("TIME", "AREA", "INDICATOR"))
    server.pxweb_table(POP.table, Reply(body=reordered, content_type="application/json"))
    fetch("population")
    expected = (fetch.landing / "reference" / "iedzivotaji.csv").read_bytes()
    server.pxweb_table(POP.table, Reply(body=POPULATION, content_type="application/json"))
    other = Fetch(tmp_path / "second", server)
    other("population")
    assert (other.landing / "reference" / "iedzivotaji.csv").read_bytes() == expected
    pxweb_csv = ("\ufeff\"Teritoriālā vienība\",\"2020 Iedzīvotāju skaits\",\"2021 Iedzīvotāju skaits\"\r\n"
                 "\"LV0001000 Rīga\",\"..\",614618\r\n\"LV0040000 Ogres novads\",\"..\",55000\r\n"
                 "\"Ogres novads (līdz 01.07.2021.)\",56000,\"..\"\r\n").encode("utf-8")
    from ingestion.fetch.pxweb import landing_bytes, parse_answer

    as_csv = catalogue.Source(**{**POP.__dict__, "response_format": "csv"})
    assert landing_bytes(parse_answer(as_csv, pxweb_csv)) == expected


def test_a_pxweb_answer_with_a_dimension_of_several_categories_is_refused(fetch, server):
    doc = json.loads(POPULATION)
    doc["dimension"]["INDICATOR"]["category"] = {"index": {"POP": 0, "POP_M": 1}, "label": {"POP": "a", "POP_M": "b"}}
    doc["size"][doc["id"].index("INDICATOR")] = 2
    doc["value"] = doc["value"] * 2
    server.pxweb_table(POP.table, Reply(body=json.dumps(doc).encode(), content_type="application/json"))
    fetch("population")
    _assert_failed_and_untouched(fetch, {}, "dimension INDICATOR has 2 categories")


def test_the_shipped_sample_folder_is_refused(server, tmp_path):
    client = HttpClient(sleep=lambda s: None)
    for folder in (SAMPLE_LANDING, SAMPLE_LANDING / "registry"):
        with pytest.raises(fetcher.LandingRefused, match="shipped sample landing folder"):
            fetcher.fetch_all(CAT, ["registry"], client, landing=folder, archive_root=tmp_path / "archive",
                              portal=server.portal, pxweb_base=server.pxweb)
    assert not (tmp_path / "archive").exists() and server.requests == []


def test_one_failure_does_not_stop_the_other_sources(fetch, server):
    _register(server)
    server.pxweb_table(POP.table, Reply(500))
    results = fetch("population", "registry")
    assert [(r.source, r.outcome) for r in results] == [("population", "failed"), ("registry", "new")]
    assert results[0].transient  # worth trying again later (the Dagster op's retry policy)


@pytest.mark.parametrize("entry, message", [
    ('kind = "ftp"\ncheck = "csv_header"\nlanding = "x.csv"', "kind 'ftp' is not one of ckan, pxweb"),
    ('kind = "ckan"\ncheck = "json_data_list"\nlanding = "x.json"', "needs a package and a name_pattern"),
    ('kind = "ckan"\npackage = "p"\nname_pattern = "x"\ncheck = "json_data_list"\nlanding = "../x.json"',
     "must be a path inside the landing folder"),
    ('kind = "ckan"\npackage = "p"\nname_pattern = "x"\ncheck = "json"\nlanding = "x.json"', "check 'json'"),
    ('kind = "ckan"\nurl = "http://x"', "unexpected keyword argument 'url'"),
])
def test_a_catalogue_entry_that_cannot_work_is_refused_by_name(tmp_path, entry, message):
    path = tmp_path / "publishers.toml"
    path.write_text(f"[sources.mine]\n{entry}\n", encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="source mine") as info:
        catalogue.load(path)
    assert message in str(info.value)
