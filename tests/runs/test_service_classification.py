"""The service-name classification through real dbt on DuckDB (macro `classified_service_names`: folding, the exact
map, then the ordered keyword rules of `service_name_rules`). Nothing here restates a rule: the seeds and macros
classify, and the tests compare what dbt answers with what the seed or the register's real wording expects.

- every rule's example classifies to the rule's own code, by that rule (read from the seed), and the singular dbt
  test that guards this in every build fails when two rules are put in the wrong order;
- real register wordings classify to the types chosen for them (the measure of issue 16);
- a pipeline run on a landing with unknown wording succeeds, lists the wording in the audit table and warns,
  naming it, in the Dagster check `registry_service_names_classified`."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.sources import all_sources
from tests.conftest import SAMPLE_LANDING, copy_run, in_process_run, run_in_process

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
RULES = DBT_PROJECT / "seeds" / "service_name_rules.csv"
DBT = str(Path(sys.executable).parent / "dbt")

# Service wordings from the real register (issue 16's sample of real records, and the common variants) with the
# type each must get. `Supervīzija` (supervision of social workers) is no service to clients: unmapped on purpose.
REAL_WORDINGS = {
    "psihosociālā rehabilitācija": "social_rehabilitation",
    "Nakts patversme": "night_shelter",
    "Islaicīga sociālā aprūpe un sociālā rehabilitācija": "short_term_care",
    "cits: Ģimenes asistenta pakalpojums.": "assistant_escort",
    "citi: Asistentu pakalpojums": "assistant_escort",
    "jauniešu māja": "social_rehabilitation",
    "cits: Kopienas centra pakalpojums": "day_centre",
    "Ilgstošas sociālās aprūpes un sociālās rehabilitācijas pakalpojums institūcijā": "ltc_institution",
    "Sociālās aprūpes pakalpojums dzīvesvietā": "home_care",
    "Aprūpes mājās pakalpojums": "home_care",
    "Dienas aprūpes centra pakalpojums": "day_care_centre",
    "Dienas centra pakalpojums": "day_centre",
    "Grupu mājas (dzīvokļa) pakalpojums": "group_home",
    "Specializēto darbnīcu pakalpojums": "specialised_workshop",
    "Krīzes centra pakalpojums": "crisis_centre",
    "Atelpas brīža pakalpojums": "respite",
    "Sociālās rehabilitācijas pakalpojums bērniem": "social_rehabilitation",
    "Īslaicīgās sociālās aprūpes pakalpojums institūcijā": "short_term_care",
    "Patversmes pakalpojums": "shelter",
    "Naktspatversmes pakalpojums": "night_shelter",
    "Pusceļa mājas pakalpojums": "halfway_house",
    "Sociālā darba pakalpojums": "social_work_service",
    "Asistenta pakalpojums pašvaldībā": "assistant_escort",
    "Pavadoņa pakalpojums": "assistant_escort",
    "Supervīzija": "unmapped",
    "Atbalsta grupas": "social_rehabilitation",
    "Sociālā mentora pakalpojums": "social_rehabilitation",
    "Ģimenes asistents": "assistant_escort",
    "Specializētā darbnīca": "specialised_workshop",
    "Mobilā brigāde": "home_care",
    "Drošības poga": "home_care",
}
# Wordings that are no service to clients, so unmapped is right for them.
NOT_SERVICES = {"Supervīzija"}


class Dbt:
    """dbt on a throwaway DuckDB warehouse holding the seeds; target and logs under its folder."""

    def __init__(self, root: Path):
        self.root, self.warehouse = root, root / "warehouse.duckdb"

    def run(self, *args: str, project: Path = DBT_PROJECT) -> subprocess.CompletedProcess:
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "LVSOCIAL_WAREHOUSE": str(self.warehouse)}
        target = self.root / f"target-{project.parent.name}"
        cmd = [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(DBT_PROJECT),
               "--target-path", str(target), "--log-path", str(self.root / "logs")]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=self.root)

    def show(self, sql: str) -> list[dict]:
        proc = self.run("--quiet", "show", "--inline", sql, "--output", "json", "--limit", "-1")
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
        return json.loads(proc.stdout[proc.stdout.index("{"):])["show"]


def seeded(root: Path, project: Path = DBT_PROJECT) -> Dbt:
    env = Dbt(root)
    with duckdb.connect(str(env.warehouse)) as con:
        for source in all_sources():  # dbt parses sources; the seeds are all the classifier reads
            source.ensure_tables(con)
    proc = env.run("seed", project=project)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return env


@pytest.fixture(scope="module")
def dbt(tmp_path_factory) -> Dbt:
    return seeded(tmp_path_factory.mktemp("service_classification"))


def classify(dbt: Dbt, wordings: list[str]) -> dict[str, dict]:
    """Wording as written -> {service_code, classified_by, rule_priority}, as the models' classifier answers."""
    values = ", ".join("('" + w.replace("'", "''") + "')" for w in wordings)
    rows = dbt.show(f"""
        with wordings as (
            select service_name, {{{{ lvsocial.service_name_key('service_name') }}}} as service_name_key
            from (values {values}) as t (service_name)
        ),
        classes as ({{{{ lvsocial.classified_service_names('wordings') }}}})
        select w.service_name, coalesce(c.service_code, 'unmapped') as service_code,
               coalesce(c.classified_by, 'unmapped') as classified_by, c.rule_priority
        from wordings as w left join classes as c on c.service_name_key = w.service_name_key
    """)
    return {r["service_name"]: r for r in rows}


def rules() -> list[dict]:
    with RULES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_rule_classifies_its_example_by_itself(dbt):
    seed = rules()
    assert len(seed) >= 25
    got = classify(dbt, [r["example"] for r in seed])
    wrong = {r["example"]: (got[r["example"]]["service_code"], got[r["example"]]["classified_by"],
                            got[r["example"]]["rule_priority"])
             for r in seed
             if (got[r["example"]]["service_code"], got[r["example"]]["classified_by"],
                 got[r["example"]]["rule_priority"]) != (r["service_code"], "rule", int(r["priority"]))}
    assert wrong == {}, "examples not classified by their own rule: (code, by, rule)"
    assert not {r["service_code"] for r in seed} & {"other", "unmapped"}


def test_the_singular_test_fails_when_a_rule_is_hidden_by_another(dbt, tmp_path):
    proc = dbt.run("test", "--select", "assert_service_name_rules_classify_their_examples")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]

    # The shelter rule moved before the night-shelter rule takes `Nakts patversme`: the test must name the rule.
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    seed = rules()
    night = next(int(r["priority"]) for r in seed if r["service_code"] == "night_shelter")
    for r in seed:
        if r["service_code"] == "shelter":
            r["priority"] = str(night - 1)
    with (project / "seeds" / RULES.name).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(seed[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(seed)
    proc = seeded(tmp_path, project).run("test", "--select", "assert_service_name_rules_classify_their_examples",
                                         project=project)
    assert proc.returncode != 0
    assert "Failure in test assert_service_name_rules_classify_their_examples" in proc.stdout, proc.stdout[-4000:]


def test_real_register_wordings_classify(dbt, capsys):
    got = classify(dbt, list(REAL_WORDINGS))
    assert {w: got[w]["service_code"] for w in REAL_WORDINGS} == REAL_WORDINGS
    real_type = [w for w in REAL_WORDINGS if got[w]["service_code"] not in ("unmapped", "other")]
    by_rule = [w for w in real_type if got[w]["classified_by"] == "rule"]
    services = len(REAL_WORDINGS) - len(NOT_SERVICES)
    with capsys.disabled():
        print(f"\nreal wordings: {len(real_type)} of {len(REAL_WORDINGS)} classified to a real type "
              f"({len(real_type)} of {services} services), {len(by_rule)} of them by a keyword rule; "
              f"none to `other`")
    assert len(real_type) == services


def test_generic_other_only_for_the_bare_cits(dbt):
    got = classify(dbt, ["Cits", "citi", "cits: Zirgu terapija", "citi sociālie pakalpojumi", "cits -"])
    assert {w: r["service_code"] for w, r in got.items()} == {
        "Cits": "other", "citi": "other", "cits: Zirgu terapija": "unmapped",
        "citi sociālie pakalpojumi": "unmapped", "cits -": "unmapped"}


# A small landing: a legacy snapshot and a JSON one in which some records carry wording no rule knows.
UNKNOWN = {"cits: Zirgu terapija": 3, "Supervīzija": 2}
BY_RULE = {"Nakts patversme": 2}


@pytest.fixture(scope="module")
def unknown_wording_run(tmp_path_factory, in_process_root):
    work = in_process_run(in_process_root)
    registry = work.landing / "registry"
    registry.mkdir()
    shutil.copy(SAMPLE_LANDING / "registry" / "sps_registrs_2012-01-02.csv", registry)
    snapshot = json.loads((SAMPLE_LANDING / "registry" / "pakalpojumusniedzejudati_20230102.json")
                          .read_text(encoding="utf-8"))
    # One record per provider unit, so no unit gets two records of one service at one address.
    units, records = set(), []
    for record in snapshot["data"]:
        if record["PakalpojumaSniedzejaRegistracijasNumurs"] not in units:
            units.add(record["PakalpojumaSniedzejaRegistracijasNumurs"])
            records.append(record)
    records = iter(records)
    for wording, n in {**UNKNOWN, **BY_RULE}.items():
        for _ in range(n):
            next(records)["SniedzamaPakalpojumaNosaukums"] = wording
    (registry / "pakalpojumusniedzejudati_20230102.json").write_text(json.dumps(snapshot, ensure_ascii=False),
                                                                     encoding="utf-8")
    return copy_run(run_in_process(work), tmp_path_factory.mktemp("unknown_wording") / "run")


def test_unknown_wording_is_audited_and_warned_about_while_the_run_succeeds(unknown_wording_run, monkeypatch):
    run = unknown_wording_run
    assert run.returncode == 0, run.output[-4000:]
    check = "intermediate/int_registry_service_names_unmapped:registry_service_names_classified"
    assert f"check warned: {check}" in run.output
    assert (run.warehouse.parent / "published" / "manifest.json").exists()  # published despite the warning

    audit = run.query("select service_name, service_name_key, records, snapshots, "
                      "cast(first_snapshot_date as varchar), cast(last_snapshot_date as varchar) "
                      "from intermediate.int_registry_service_names_unmapped order by records desc")
    assert audit == [("cits: Zirgu terapija", "zirgu terapija", 3, 1, "2023-01-02", "2023-01-02"),
                     ("Supervīzija", "supervizija", 2, 1, "2023-01-02", "2023-01-02")]
    facts = dict(run.query("""
        select f.service_name_as_written, string_agg(distinct s.service_code, ',')
        from marts.fct_provider_services f join marts.dim_service s on s.service_key = f.service_key
        where f.service_name_as_written in ('cits: Zirgu terapija', 'Supervīzija', 'Nakts patversme')
        group by 1"""))
    assert facts == {"cits: Zirgu terapija": "unmapped", "Supervīzija": "unmapped", "Nakts patversme": "night_shelter"}

    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", str(run.dagster_home))
    with dg.DagsterInstance.get() as instance:
        key = dg.AssetCheckKey(dg.AssetKey(["intermediate", "int_registry_service_names_unmapped"]),
                               "registry_service_names_classified")
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
        evaluation = record.event.dagster_event.event_specific_data
    assert evaluation.passed is False
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "2 register service wording(s) unmapped, 5 of" in evaluation.description
    assert "`cits: Zirgu terapija` (3 records); `Supervīzija` (2 records)" in evaluation.description
    assert evaluation.metadata["unmapped_records"].value == 5
    assert "| cits: Zirgu terapija | zirgu terapija | 3 |" in evaluation.metadata["unmapped"].value
