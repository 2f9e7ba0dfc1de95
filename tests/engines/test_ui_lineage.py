"""`lvsocial ui` serves the Dagster UI on the sample run's instance: the lineage from the register snapshots to
fct_provider_services with its checks, the snapshot partitions, and the run in the history (asked of the UI's
GraphQL endpoint, the same API the web pages use). The `ui` server is the session fixture of conftest.py, shared with
the browser test."""

import json
import time
import urllib.request

import pytest

from orchestration.sources import all_sources

QUERY = """
{
  assetNodes {
    assetKey { path }
    dependencyKeys { path }
    assetChecksOrError { ... on AssetChecks { checks { name } } }
    partitionKeysByDimension { partitionKeys }
  }
  runsOrError { ... on Runs { results { jobName status } } }
}
"""


def _graphql(base: str) -> dict:
    deadline = time.monotonic() + 120
    while True:  # the code location may still be loading just after the server answers
        req = urllib.request.Request(base + "/graphql", data=json.dumps({"query": QUERY}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = json.load(resp)
        if "errors" not in body and body["data"]["assetNodes"]:
            return body["data"]
        if time.monotonic() > deadline:
            pytest.fail(f"GraphQL gave no asset graph: {body}")
        time.sleep(2)


def test_lineage_from_register_snapshots_to_the_fact(ui):
    data = _graphql(ui)
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    deps = {k: {"/".join(d["path"]) for d in n["dependencyKeys"]} for k, n in nodes.items()}

    def upstream(key):
        seen, todo = set(), [key]
        while todo:
            for d in deps.get(todo.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    assert "raw/registry_provider_services" in upstream("marts/fct_provider_services")
    assert "staging/stg_registry__provider_services" in deps["intermediate/int_registry_records_conformed"]
    assert "raw/registry_provider_services" in deps["staging/stg_registry__provider_services"]
    raw = nodes["raw/registry_provider_services"]
    assert len(raw["partitionKeysByDimension"][0]["partitionKeys"]) == 17
    checks = {c["name"] for c in raw["assetChecksOrError"]["checks"]}
    assert {"gx_raw_registry", "rows_read_equal_loaded_plus_rejected"} <= checks
    fct_checks = {c["name"] for c in nodes["marts/fct_provider_services"]["assetChecksOrError"]["checks"]}
    assert any(c.startswith("relationships_fct_provider_services") for c in fct_checks)



def test_lineage_from_esf_files_to_the_facts(ui):
    data = _graphql(ui)
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    deps = {k: {"/".join(d["path"]) for d in n["dependencyKeys"]} for k, n in nodes.items()}
    assert "raw/esf_cfla_projects" in deps["staging/stg_esf__cfla_projects"]
    assert "raw/esf_apia_projects" in deps["staging/stg_esf__apia_projects"]
    assert "raw/esf_apia_planned_services" in deps["staging/stg_esf__apia_planned_services"]
    assert {"staging/stg_esf__cfla_projects", "staging/stg_esf__apia_projects"} <= deps[
        "intermediate/int_esf_projects_conformed"]
    assert "intermediate/int_esf_projects_conformed" in deps["marts/fct_esf_projects"]
    assert "intermediate/int_esf_planned_services_classified" in deps["marts/fct_esf_planned_services"]
    assert {"marts/fct_esf_planned_services", "marts/fct_provider_services"} <= deps[
        "reporting/rpt_esf_services_vs_register"]
    assert nodes["raw/esf_cfla_projects"]["partitionKeysByDimension"][0]["partitionKeys"] == ["2014_2020",
                                                                                             "2021_2027"]
    assert nodes["raw/esf_apia_projects"]["partitionKeysByDimension"][0]["partitionKeys"] == ["2007_2013"]
    for key, gx in (("raw/esf_cfla_projects", "gx_raw_esf_cfla_projects"),
                    ("raw/esf_apia_projects", "gx_raw_esf_apia_projects"),
                    ("raw/esf_apia_planned_services", "gx_raw_esf_apia_planned_services")):
        checks = {c["name"] for c in nodes[key]["assetChecksOrError"]["checks"]}
        assert {gx, "rows_read_equal_loaded_plus_rejected"} <= checks, key

def test_the_run_is_in_the_history(ui):
    runs = _graphql(ui)["runsOrError"]["results"]
    expected = {(s.job_name, "SUCCESS") for s in all_sources()} | {("transform", "SUCCESS")}
    assert ("ingest_registry", "SUCCESS") in expected
    assert {(r["jobName"], r["status"]) for r in runs} == expected


def test_read_only_ui_for_auditors(sample_run):
    """`lvsocial ui --read-only`: the same lineage, but no permission to launch runs or wipe assets."""
    from tests.conftest import serve_ui

    query = "{ permissions { permission value } }"
    with serve_ui(sample_run, "--read-only") as base:
        req = urllib.request.Request(base + "/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            permissions = {p["permission"]: p["value"] for p in json.load(resp)["data"]["permissions"]}
        assert permissions["launch_pipeline_execution"] is False
        assert permissions["wipe_assets"] is False
        assert "raw/registry_provider_services" in {"/".join(n["assetKey"]["path"])
                                                    for n in _graphql(base)["assetNodes"]}
