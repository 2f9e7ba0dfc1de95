"""`lvsocial fetch` from a local server serving the shipped sample's files as the publishers would (the register's
JSON gzip-encoded, both CFLA lists under CKAN's one name, population as a PxWeb json-stat2 answer), one budget file
dropped by hand beside them, then `lvsocial run` on that landing folder: the marts are built, and audit.load_log
names the URL and retrieval time of every fetched file and NULL for the one dropped by hand."""

from __future__ import annotations

import csv
import io
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout

import pytest

from ingestion.fetch import archive, catalogue
from tests.conftest import SAMPLE_LANDING, copy_run, in_process_run, restored_environ, run_in_process
from tests.fetch_server import PublisherServer, Reply, jsonstat2

CAT = catalogue.load()
REGISTER_FILE = SAMPLE_LANDING / "registry" / "pakalpojumusniedzejudati_20260102.json"
HAND_DROPPED = SAMPLE_LANDING / "budgets" / "soc_dienesti_2025.csv"


def population_answer() -> bytes:
    """The sample's population table as the bureau's json-stat2 answer (codes for the 2021 areas)."""
    text = (SAMPLE_LANDING / "reference" / "iedzivotaji.csv").read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    areas, values = [], {}
    for a, row in enumerate(rows):
        m = re.match(r"^(LV\d{7}) (.*)$", row[0])
        areas.append((m.group(1), m.group(2)) if m else (f"OLD{a:03d}", row[0]))
        for t, v in enumerate(row[1:]):
            if v not in ("..", ""):
                values[(a, t)] = int(v)
    return jsonstat2(areas, header[1:], values)


@pytest.fixture(scope="module")
def fetched_run(tmp_path_factory, in_process_root):
    from orchestration import cli

    server = PublisherServer().start()
    try:
        server.ckan_source(CAT.sources["registry"].package, "reg", REGISTER_FILE.name, "JSON",
                           Reply(body=REGISTER_FILE.read_bytes(), gzip=True, content_type="application/json"))
        for period in ("2014_2020", "2021_2027"):
            server.ckan_source(CAT.sources[f"esf_cfla_{period}"].package, f"cfla-{period}",
                               "es_fondu_projektu_saraksts.csv", "CSV",
                               Reply(body=(SAMPLE_LANDING / "esf" / f"es_fondu_projekti_{period}.csv").read_bytes()))
        server.pxweb_table(CAT.sources["population"].table, Reply(body=population_answer(),
                                                                    content_type="application/json"))
        work = in_process_run(in_process_root)
        archive_root = work.root / "archive"
        out = io.StringIO()
        with restored_environ(), redirect_stdout(out), redirect_stderr(out):
            code = cli.main(["fetch", "--portal", server.portal, "--pxweb", server.pxweb, "--landing",
                             str(work.landing), "--archive", str(archive_root)])
    finally:
        server.stop()
    assert code == 0, out.getvalue()
    (work.landing / "budgets").mkdir()
    shutil.copy(HAND_DROPPED, work.landing / "budgets" / HAND_DROPPED.name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LVSOCIAL_ARCHIVE_DIR", str(archive_root))  # where the loader looks for provenance
        run = run_in_process(work)
    return copy_run(run, tmp_path_factory.mktemp("fetched") / "run"), archive.entries(archive_root)


def test_the_pipeline_builds_the_marts_on_the_fetched_landing(fetched_run):
    run, _ = fetched_run
    assert run.returncode == 0, run.output[-4000:]
    assert run.scalar("select count(*) from marts.fct_provider_services where snapshot_date = date '2026-01-02'") > 0
    assert run.scalar("select count(*) from marts.fct_esf_projects") > 0
    assert run.scalar("select count(*) from raw.population where population is not null") == run.scalar(
        "select count(*) from raw.population where population_as_written not in ('..')")
    assert run.scalar("select count(*) from audit.rejected_rows where source = 'population'") == 0
    assert run.scalar("select count(*) from marts.fct_social_work_staffing") > 0


def test_load_log_names_where_each_fetched_file_came_from(fetched_run):
    run, lines = fetched_run
    fetched = {line.landing_path.rsplit("/", 1)[-1]: line for line in lines if line.outcome == "new"}
    assert set(fetched) == {REGISTER_FILE.name, "es_fondu_projekti_2014_2020.csv", "es_fondu_projekti_2021_2027.csv",
                            "iedzivotaji.csv"}
    logged = {f: (u, str(t).replace(" ", "T") + "Z" if t else None) for f, u, t in run.query(
        "select source_file, source_url, retrieved_at from audit.load_log")}
    for name, line in fetched.items():
        assert logged[name] == (line.url, line.retrieved_at), name
    assert logged[HAND_DROPPED.name] == (None, None)
