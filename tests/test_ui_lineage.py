"""`lvsocial ui` serves the Dagster UI on the sample run's instance: the lineage from the register snapshots to
fct_provider_services with its checks, the snapshot partitions, and the run in the history (asked of the UI's
GraphQL endpoint, the same API the web pages use)."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from .conftest import LVSOCIAL

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ui(sample_run):
    port = _free_port()
    log = open(sample_run.root / "ui.log", "w")
    proc = subprocess.Popen([LVSOCIAL, "ui", "--port", str(port)], env=sample_run.env(), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/server_info", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"lvsocial ui exited: {(sample_run.root / 'ui.log').read_text()[-3000:]}")
                time.sleep(1)
        else:
            pytest.fail("the UI did not answer within 180 s")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


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


def test_the_run_is_in_the_history(ui):
    runs = _graphql(ui)["runsOrError"]["results"]
    assert {(r["jobName"], r["status"]) for r in runs} == {
        (job, "SUCCESS") for job in ("ingest_registry", "ingest_budgets", "ingest_population", "transform")}
