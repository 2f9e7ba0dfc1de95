"""A real BI tool on the published copy: `scripts/bi.sh start` installs Apache Superset in its own venv (.bi-venv),
starts it and registers the database, datasets, charts and the dashboard from deploy/superset/lvsocial.json. Each
chart's figures, asked through Superset's API, equal the published tables'; the datasets show the columns' dbt
descriptions; the dashboard opens in headless Chromium. `scripts/bi.sh stop` ends it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime

import duckdb
import pytest

from tests.conftest import REPO
from tests.engines.test_ui_browser import _screenshot, _wait, browser  # noqa: F401  (the browser fixture)

sys.path.insert(0, str(REPO / "scripts"))
import bi_setup  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def superset(sample_run, tmp_path_factory):
    home = tmp_path_factory.mktemp("superset")
    port = _free_port()
    env = {**os.environ, "LVSOCIAL_WAREHOUSE": str(sample_run.warehouse), "SUPERSET_HOME": str(home)}
    proc = subprocess.run(["bash", str(REPO / "scripts" / "bi.sh"), "start", str(port)], env=env,
                          capture_output=True, text=True, timeout=1200)
    try:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        base = f"http://127.0.0.1:{port}"
        yield base, json.loads((home / "registered.json").read_text(encoding="utf-8")), bi_setup.Api(base, "admin",
                                                                                                    "admin")
    finally:
        subprocess.run(["bash", str(REPO / "scripts" / "bi.sh"), "stop"], env=env, timeout=60)


def published(sample_run, sql: str) -> list[tuple]:
    with duckdb.connect(str(sample_run.warehouse.parent / "published" / "lvsocial.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def chart_data(superset, number: int) -> list[dict]:
    _, registered, api = superset
    chart = json.loads(bi_setup.DEFINITIONS.read_text(encoding="utf-8"))["charts"][number]
    result = api.call("POST", "/api/v1/chart/data",
                      bi_setup.query_context(chart, registered["datasets"][chart["dataset"]]))["result"][0]
    assert result["rowcount"] == len(result["data"]) > 0
    return result["data"]


def _day(epoch_ms: float) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).date().isoformat()


def test_everything_is_registered(superset):
    _, registered, api = superset
    spec = json.loads(bi_setup.DEFINITIONS.read_text(encoding="utf-8"))
    assert set(registered["charts"]) == {c["slice_name"] for c in spec["charts"]}
    dashboard = api.call("GET", f"/api/v1/dashboard/{registered['dashboard']}/charts")["result"]
    assert {c["slice_name"] for c in dashboard} == set(registered["charts"])


def test_providers_per_region_through_superset_equal_the_report(superset, sample_run):
    got = {(_day(r["snapshot_date"]), r["planning_region"]): r["providers"] for r in chart_data(superset, 0)}
    want = {(str(d), region): n for d, region, n in published(sample_run, """
        select snapshot_date, planning_region, providers_active from reporting.rpt_register_by_region
        where planning_region is not null""")}
    assert got == want
    assert want[("2023-01-02", "Zemgales plānošanas reģions")] == 125  # the seed documents' figure


def test_community_share_through_superset_equals_the_metric(superset, sample_run):
    got = {_day(r["snapshot_date"]): r["community_share_of_places"] for r in chart_data(superset, 1)}
    want = dict(published(sample_run, """
        select cast(snapshot_date as varchar),
               1.0 * sum(community_places) / nullif(sum(community_places + institutional_places), 0)
        from reporting.metric_register group by 1"""))
    assert got.keys() == want.keys()
    assert all(got[k] == pytest.approx(float(want[k]), rel=1e-9) for k in want)


def test_specialists_per_1000_through_superset_equal_the_metric(superset, sample_run):
    got = {r["year"]: r["specialists_per_1000"] for r in chart_data(superset, 2)}
    want = dict(published(sample_run, """
        select year, 1000.0 * sum(social_work_specialists)
                     / sum(case when social_work_specialists is not null then population end)
        from reporting.metric_municipal where population is not null group by 1"""))
    assert got.keys() == want.keys() and len(want) > 5
    assert all(got[k] == pytest.approx(float(want[k]), rel=1e-9) for k in want if want[k] is not None)


def test_the_datasets_show_the_column_descriptions(superset, sample_run):
    _, registered, api = superset
    columns = api.call("GET", f"/api/v1/dataset/{registered['datasets']['reporting.metric_register']}")["result"][
        "columns"]
    comments = dict(published(sample_run, "select column_name, comment from duckdb_columns() "
                                          "where schema_name = 'reporting' and table_name = 'metric_register'"))
    assert {c["column_name"]: c["description"] for c in columns} == comments
    assert all(comments.values())


def _log_in(browser, base: str, tries: int = 4) -> None:
    """Superset's login page is a React form: keys typed before it has mounted are lost when it re-renders (seen on
    a loaded machine: the form came back empty). Type, check that the fields hold the text, submit; again if the
    page is still the login page."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(tries):
        browser.get(base + "/login/")
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "input[name='username'], #username"),
              "the login form did not appear")
        try:
            user = browser.find_element(By.CSS_SELECTOR, "input[name='username'], #username")
            password = browser.find_element(By.CSS_SELECTOR, "input[name='password'], #password")
            user.clear()
            user.send_keys("admin")
            password.clear()
            password.send_keys("admin")
            if user.get_attribute("value") != "admin" or password.get_attribute("value") != "admin":
                continue  # re-rendered while typing
            buttons = browser.find_elements(By.CSS_SELECTOR, "button[type='submit']")
            (buttons[0].click if buttons else password.submit)()
        except StaleElementReferenceException:
            continue
        try:
            _wait(browser, lambda d: "/login" not in d.current_url, "the login did not go through", timeout=30)
            return
        except pytest.fail.Exception:
            continue
    _wait(browser, lambda d: "/login" not in d.current_url, f"the login did not go through in {tries} tries",
          timeout=1)


def test_the_dashboard_opens_in_the_browser(superset, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    base, registered, _ = superset
    _log_in(browser, base)
    browser.get(base + "/superset/dashboard/lvsocial/")
    for title in registered["charts"]:
        _wait(browser, lambda d, t=title: t in d.find_element(By.TAG_NAME, "body").text,
              f"the dashboard does not show the chart {title!r}")
    # The table chart's rows are drawn: a planning region of the first chart is on the page.
    _wait(browser, lambda d: "Zemgales plānošanas reģions" in d.find_element(By.TAG_NAME, "body").text,
          "the providers chart drew no rows")
    _screenshot(browser, "superset-dashboard")
