"""The UI in a real browser: `lvsocial ui` on the sample run, opened in headless Debian Chromium through selenium.
The asset graph shows the path from the register snapshot asset to fct_provider_services and on to the report; an
asset check's result is visible; the charts render in the UI, on the report page and beside them dbt's docs.
Screenshots go to tests/artifacts/ (git-ignored), and their paths are printed."""

from __future__ import annotations

import shutil
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import REPO

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
WAIT = 90  # seconds: the first page load compiles the code location's asset graph


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail("the browser test needs Debian's chromium and chromium-driver on PATH: "
                    "`apt-get install -y chromium chromium-driver` (scripts/test.sh does it when run as root)")
    return browser, driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1600,1000")
    # An explicit driver path: selenium then never tries to download one (this machine may have no internet).
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(WAIT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, message, timeout: float = WAIT):
    """Wait until `condition(driver)` is truthy and return it; else fail with `message` (a text, or a function
    giving one at the time of failure) and a screenshot."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5).until(lambda d: condition(d))
    except TimeoutException:
        text = message() if callable(message) else message
        shot = _screenshot(driver, "failed_" + "_".join(text.split()[:4]).strip(":',"))
        pytest.fail(f"{text} (waited {timeout:.0f} s; screenshot {shot})")


def _visible(driver, xpath: str) -> list:
    return [e for e in driver.find_elements("xpath", xpath) if e.is_displayed()]


def _dismiss_community_dialog(driver) -> None:
    """Dagster's 'Join the Dagster community' dialog would cover the page. lvsocial's dagster.yaml turns it off
    (`nux: enabled: false`); a Dagster home written before that still shows it once."""
    for button in _visible(driver, "//button[normalize-space()='Skip']"):
        button.click()
        time.sleep(0.5)


def _expand_all_groups(driver) -> bool:
    """Right-click the graph's background and choose 'Expand all groups'; False to try again."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.action_chains import ActionChains

    item = "//*[@role='menuitem'][starts-with(normalize-space(), 'Expand all groups')]"
    try:
        _dismiss_community_dialog(driver)
        viewport = driver.find_element("css selector", "[data-svg-viewport]")
        # above the middle row of group boxes: empty background
        ActionChains(driver).move_to_element_with_offset(viewport, 0, -viewport.size["height"] // 4) \
            .context_click().perform()
        time.sleep(0.5)
        items = _visible(driver, item)
        if not items:
            # The last graph's groups were expanded and the menu remembers it: collapse, then expand again.
            collapse = _visible(driver, "//*[@role='menuitem'][starts-with(normalize-space(), 'Collapse all groups')]")
            if collapse:
                collapse[0].click()
                time.sleep(0.5)
            return False
        items[0].click()
        return True
    except WebDriverException:  # a dialog or a re-render got in the way
        return False


def _screenshot(driver, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def _asset_names(driver) -> list[str]:
    return [e.text for e in driver.find_elements("css selector", "[class*='AssetNode_assetName']") if e.text]


def test_asset_graph_shows_the_path_from_a_register_snapshot_to_the_fact_and_the_report(browser, ui):
    # The assets downstream of the register snapshots AND upstream of the report: exactly those on a path between
    # them. Every name asserted below lies on such a path, or the selection would not show it.
    # Two stretches of the path, each small enough to draw whole: the snapshots to the fact, the fact to the report.
    browser.set_window_size(3400, 2000)  # wide enough for full-size nodes with full names
    stretches = [
        ('key:"raw/registry_provider_services"+ and +key:"marts/fct_provider_services"',
         {"registry_provider_services", "stg_registry__provider_services", "int_registry_records_conformed",
          "int_registry_record_matches", "int_registry_record_segments",
          "int_registry_records_identified", "fct_provider_services"}),
        ('key:"marts/fct_provider_services"+ and +key:"report/charts"', {"fct_provider_services", "marts", "charts"}),
    ]
    for i, (selection, expected) in enumerate(stretches):
        browser.get(f"{ui}/asset-groups~{urllib.parse.quote(selection, safe='')}")
        _wait(browser, lambda d: d.find_elements("css selector", "svg foreignObject"),
              "the asset graph did not draw")
        _dismiss_community_dialog(browser)
        # Groups (per source and layer) start collapsed: expand them all from the graph's context menu.
        _wait(browser, _expand_all_groups, "could not expand the graph's groups from its menu", timeout=30)
        names = _wait(browser, lambda d, expected=expected: (set(_asset_names(d)) >= expected) and set(_asset_names(d)),
                      lambda expected=expected: f"asset graph without all of {sorted(expected)}; it showed "
                                                f"{_asset_names(browser)}")
        shot = _screenshot(browser, f"ui_lineage_register_snapshot_to_report_{i + 1}")
        assert expected <= names
        assert "esf_cfla_projects" not in names, "the selection should hold only assets on the path"
        assert "Materialized" in browser.find_element("tag name", "body").text
        assert shot.stat().st_size > 0
    browser.set_window_size(1600, 1000)


def test_an_asset_check_result_is_visible(browser, ui):
    browser.get(f"{ui}/assets/raw/registry_provider_services?view=checks")
    _wait(browser, lambda d: _visible(d, "//*[normalize-space()='gx_raw_registry']"), "no check gx_raw_registry")
    _dismiss_community_dialog(browser)
    _visible(browser, "//*[normalize-space()='gx_raw_registry']")[0].click()
    _wait(browser, lambda d: "Evaluation result" in d.find_element("tag name", "body").text,
          "the check's latest execution is not shown")
    body = browser.find_element("tag name", "body").text
    _screenshot(browser, "ui_check_gx_raw_registry")
    assert "This is a blocking asset check." in body
    result = body.split("Evaluation result", 1)[1]
    assert "Passed" in result.split("Metadata", 1)[0]
    assert "suite raw_registry_provider_services" in body or "raw_registry_provider_services" in body
    assert "Succeeded" in body  # the check list's state beside gx_raw_registry and the nothing-lost check


def _broken_images(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.alt || i.src.slice(0, 80));")


def test_the_charts_render_in_the_ui(browser, ui, sample_run):
    drawn = sorted(p.stem for p in (sample_run.warehouse.parent / "report").glob("*.png"))
    browser.set_window_size(1600, 1400)
    browser.get(f"{ui}/assets/report/charts")
    links = _wait(browser, lambda d: _visible(d, "//a[normalize-space()='[Show Markdown]']"),
                  "the report asset shows no Markdown metadata")
    _dismiss_community_dialog(browser)
    links[0].click()
    images = _wait(browser, lambda d: d.find_elements("css selector", "img[src^='data:image/png']"),
                   "the charts' Markdown shows no images")
    _wait(browser, lambda d: not _broken_images(d), lambda: f"charts not rendered in the UI: {_broken_images(browser)}")
    _screenshot(browser, "ui_report_charts_metadata")
    assert sorted(i.get_attribute("alt") for i in images) == drawn
    assert all(browser.execute_script("return arguments[0].naturalWidth", i) > 0 for i in images)
    browser.set_window_size(1600, 1000)


def test_the_report_page_renders_every_chart(browser, sample_run):
    page = sample_run.warehouse.parent / "report" / "index.html"
    pngs = sorted((page.parent).glob("*.png"))
    assert len(pngs) >= 6
    browser.get(page.as_uri())
    _wait(browser, lambda d: d.execute_script("return document.readyState") == "complete", "report page not loaded")
    _wait(browser, lambda d: not _broken_images(d), lambda: f"charts not rendered: {_broken_images(browser)}")
    images = browser.find_elements("tag name", "img")
    assert sorted(Path(urllib.parse.urlparse(i.get_attribute("src")).path).name for i in images) == \
        sorted(p.name for p in pngs)
    assert all(browser.execute_script("return arguments[0].naturalWidth", i) > 0 for i in images)
    text = browser.find_element("tag name", "body").text
    assert "2010-01-02" in text and "2026-01-02" in text  # the data's snapshot range
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1400, min(height + 100, 12000))
    _screenshot(browser, "report_page")
    browser.set_window_size(1600, 1000)


def test_the_dbt_docs_open_from_disk(browser, sample_run):
    site = sample_run.warehouse.parent / "dbt_docs" / "static_index.html"
    browser.get(site.as_uri() + "#!/model/model.lvsocial.fct_provider_services")
    # Column types come from the catalog, read from the warehouse: the docs were generated against it.
    _wait(browser, lambda d: "current_municipality_key" in d.find_element("tag name", "body").text
          and "VARCHAR" in d.find_element("tag name", "body").text, "dbt docs show no columns of fct_provider_services")
    _screenshot(browser, "dbt_docs_fct_provider_services")
