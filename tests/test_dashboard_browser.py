"""The dashboard in real headless Chromium, over a database filled by the simulator (plus vessels whose
broadcast names are HTML). Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from maritime.config import DashboardSettings
from maritime.store.schema import EventRow, ModelVersionRow
from tests.browser import (browser_binaries, hover_text, map_state, new_driver, no_alert_dialog, point_at_vessel,
                           screenshot, served, severe_console_errors, sign_in, wait_for, wait_for_map)
from tests.dashboard_data import PASSWORDS, XSS_CSV_MMSI, build

pytestmark = pytest.mark.browser
SECRET = "browser-test-secret-" + "y" * 32
INJECTED_JS = "return document.querySelectorAll('img[src=\"x\"], img[src=\"X\"], svg[onload], a[href=\"X\"]').length"
FORGED_PROMOTE_JS = """
const done = arguments[arguments.length - 1];
const token = document.cookie.split('; ').find(c => c.startsWith('_csrf_token=')).split('=')[1];
fetch('/_dash-update-component', {method: 'POST', credentials: 'same-origin',
  headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
  body: JSON.stringify({output: '..models-message.children...models-listing.children..',
    outputs: [{id: 'models-message', property: 'children'}, {id: 'models-listing', property: 'children'}],
    inputs: [{id: 'models-promote', property: 'n_clicks', value: 1},
             {id: 'models-rollback', property: 'n_clicks', value: null}],
    state: [{id: 'models-version', property: 'value', value: 'v2'}],
    changedPropIds: ['models-promote.n_clicks']})})
  .then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    browser_binaries()
    return build(tmp_path_factory.mktemp("dashboard-browser"), hours=1.5, vessels=60)


@pytest.fixture(scope="module")
def base(world):
    from dashboards import create_app

    with served(create_app(world.url, secret_key=SECRET)) as url:
        yield url


@pytest.fixture(scope="module")
def officer(base):
    driver = new_driver()
    sign_in(driver, base, "olga", PASSWORDS["olga"])
    yield driver
    driver.quit()


def db_row(url, statement):
    engine = create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    engine.dispose()
    return row


def choose_option(driver, dropdown_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    wait_for(lambda: driver.find_elements(By.ID, dropdown_id), message=f"dropdown {dropdown_id}")[0].click()
    option = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, f'.dash-dropdown-option input[value="{value}"]'),
                      message=f"option {value}")[0]
    driver.execute_script("arguments[0].closest('label').click()", option)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def open_live(driver, base, vessels: int):
    """The live page with every filter cleared (filters persist for the browser session)."""
    driver.get(f"{base}/")
    wait_for_map(driver)
    driver.find_element("id", "live-clear").click()
    return wait_for(lambda: (s := map_state(driver)) and s["points"] == vessels and s, message="all vessels")


def test_sign_in_page(base):
    driver = new_driver()
    try:
        driver.get(f"{base}/alerts")
        wait_for(lambda: "/login" in driver.current_url, message="redirect to sign-in")
        screenshot(driver, "login")
    finally:
        driver.quit()


def test_live_map_shows_every_vessel(officer, base, world):
    state = open_live(officer, base, world.vessels)
    assert state["drawn"] > 0
    summary = officer.find_element("id", "live-summary").text
    assert f"{world.vessels:,} of {world.vessels:,} vessels shown" in summary
    screenshot(officer, "live")
    assert not severe_console_errors(officer)


def test_a_filter_changes_what_is_shown(officer, base, world):
    open_live(officer, base, world.vessels)
    choose_option(officer, "live-severity", "critical")
    wait_for(lambda: map_state(officer)["points"] == 1, message="only the critical vessel")
    assert "1 of" in officer.find_element("id", "live-summary").text
    screenshot(officer, "live-filtered-critical")
    officer.find_element("id", "live-clear").click()
    wait_for(lambda: map_state(officer)["points"] == world.vessels, message="filters cleared")


def test_hover_shows_html_names_as_text(officer, base, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_live(officer, base, world.vessels)
    for mmsi, expected in ((271000001, "<B>BOLD</B>"), (271000002, "<IMG SRC=X ONERROR=A"),
                           (271000003, "<SVG/ONLOAD=ALERT()>"), (XSS_CSV_MMSI, "<img src=x onerror=alert(1)>")):
        search = officer.find_element(By.ID, "live-search")
        search.clear()
        search.send_keys(str(mmsi), Keys.ENTER)
        wait_for(lambda: map_state(officer)["points"] == 1, message=f"search for {mmsi}")
        point_at_vessel(officer, mmsi)
        text = wait_for(lambda: hover_text(officer), message="hover card")
        assert expected in text and f"MMSI {mmsi}" in text and "kn" in text
        if mmsi == 271000001:
            assert "to <BR>FAKE" in text  # the destination stayed on its own line, as text
            screenshot(officer, "live-hover-escaped")
        assert no_alert_dialog(officer) and officer.execute_script(INJECTED_JS) == 0
    officer.find_element(By.ID, "live-clear").click()


def test_clicking_a_vessel_opens_it(officer, base, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_live(officer, base, world.vessels)
    search = officer.find_element(By.ID, "live-search")
    search.clear()
    search.send_keys("271000001", Keys.ENTER)
    wait_for(lambda: map_state(officer)["points"] == 1, message="one vessel")
    point_at_vessel(officer, 271000001, click=True)
    wait_for(lambda: officer.current_url.endswith("/vessel/271000001"), message="vessel page")
    heading = wait_for(lambda: officer.find_elements(By.CSS_SELECTOR, ".vessel-title h1"), message="title")[0]
    assert heading.text == "<B>BOLD</B>"
    assert not officer.find_elements(By.CSS_SELECTOR, ".vessel-title h1 b")
    wait_for(lambda: officer.execute_script(
        "const g = document.querySelector('#vessel-map .js-plotly-plot'); return g?.data?.[0]?.lat?.length"),
        message="track drawn")
    screenshot(officer, "vessel")
    assert no_alert_dialog(officer) and officer.execute_script(INJECTED_JS) == 0


def test_clicking_an_alert_opens_the_vessel(officer, base):
    from selenium.webdriver.common.by import By

    officer.get(f"{base}/alerts")
    rows = wait_for(lambda: officer.find_elements(By.CSS_SELECTOR, "#alerts-events tbody tr"), message="alerts")
    screenshot(officer, "alerts")
    link = rows[0].find_element(By.CSS_SELECTOR, "a[href^='/vessel/']")
    target = link.get_attribute("href")
    link.click()
    wait_for(lambda: officer.current_url == target, message="vessel page from alert")
    wait_for(lambda: officer.find_elements(By.CSS_SELECTOR, ".vessel-title h1"), message="vessel title")
    assert no_alert_dialog(officer) and officer.execute_script(INJECTED_JS) == 0


def test_acknowledging_records_it(officer, base, world):
    from selenium.webdriver.common.by import By

    officer.get(f"{base}/alerts")
    event_id = db_row(world.url, select(EventRow.id).where(EventRow.kind == "loitering",
                                                           EventRow.mmsi == 271000001)).id
    button = wait_for(lambda: officer.find_elements(By.XPATH, f"//button[contains(@id, '{event_id}')]"),
                      message="review button")[0]
    button.click()
    wait_for(lambda: "Loitering" in officer.find_element(By.ID, "alerts-detail").text, message="detail")
    officer.find_element(By.ID, "alerts-comment").send_keys("Called the master on VHF 16; <b>drifting</b>")
    officer.find_element(By.ID, "alerts-ack").click()
    wait_for(lambda: "Acknowledged by olga" in officer.find_element(By.ID, "alerts-message").text,
             message="acknowledged")
    screenshot(officer, "alerts-acknowledged")
    row = db_row(world.url, select(EventRow).where(EventRow.id == event_id))
    assert (row.status, row.status_by) == ("acknowledged", "olga")
    assert row.status_comment == "Called the master on VHF 16; <b>drifting</b>" and row.status_at is not None


def test_an_officer_cannot_promote_a_model(officer, base, world):
    from selenium.webdriver.common.by import By

    officer.get(f"{base}/models")
    button = wait_for(lambda: officer.find_elements(By.ID, "models-promote"), message="models page")[0]
    assert not button.is_enabled()
    assert "need the analyst role" in officer.find_element(By.ID, "models-role-note").text
    screenshot(officer, "models-officer")
    status, body = officer.execute_async_script(FORGED_PROMOTE_JS)  # what a crafted request gets
    assert status == 200 and "Refused" in body
    active = db_row(world.url, select(ModelVersionRow.version).where(ModelVersionRow.active.is_(True)))
    assert active.version == "v1"


@pytest.fixture
def analyst_on_models(base):
    """A browser signed in as the analyst, on the models page."""
    from selenium.webdriver.common.by import By

    driver = new_driver()
    try:
        sign_in(driver, base, "anna", PASSWORDS["anna"])
        driver.get(f"{base}/models")
        wait_for(lambda: driver.find_elements(By.ID, "models-versions"), message="versions table")
        yield driver
    finally:
        driver.quit()


def test_an_analyst_promotes_a_model(analyst_on_models, world):
    from selenium.webdriver.common.by import By

    driver = analyst_on_models
    choose_option(driver, "models-version", "v2")
    driver.find_element(By.ID, "models-promote").click()
    wait_for(lambda: "v2 is now the active model" in driver.find_element(By.ID, "models-message").text,
             message="promoted")
    screenshot(driver, "models-analyst")
    active = db_row(world.url, select(ModelVersionRow.version).where(ModelVersionRow.active.is_(True)))
    assert active.version == "v2"
    driver.find_element(By.ID, "models-rollback").click()
    wait_for(lambda: "v1 is active again" in driver.find_element(By.ID, "models-message").text,
             message="rolled back")


def test_an_analyst_trains_a_new_version_from_the_page(analyst_on_models, world):
    from selenium.webdriver.common.by import By

    driver = analyst_on_models
    choose_option(driver, "models-estimator", "iforest")
    driver.find_element(By.ID, "models-train").click()
    wait_for(lambda: "Training" in driver.find_element(By.ID, "models-training").text, message="progress")
    wait_for(lambda: "Training finished" in driver.find_element(By.ID, "models-training").text
             or "failed" in driver.find_element(By.ID, "models-training").text, timeout=180,
             message="training to end")
    text = driver.find_element(By.ID, "models-training").text
    assert "Training finished" in text, text
    screenshot(driver, "models-trained")
    row = db_row(world.url, select(ModelVersionRow.version, ModelVersionRow.estimator, ModelVersionRow.created_by,
                                   ModelVersionRow.active).order_by(ModelVersionRow.id.desc()))
    assert row.estimator == "iforest" and row.created_by == "anna" and not row.active
    wait_for(lambda: row.version in driver.find_element(By.ID, "models-versions").text, message="listed")
    choose_option(driver, "models-compare-pick", row.version)  # the new version can be compared at once


def test_health_page_shows_the_ingest(officer, base):
    from selenium.webdriver.common.by import By

    officer.get(f"{base}/health")
    runs = wait_for(lambda: officer.find_elements(By.CSS_SELECTOR, "#health-runs tbody tr"), message="runs")
    assert len(runs) >= 2  # the simulated day and the HTML-named vessels
    assert "ais.nmea" in officer.find_element(By.ID, "health-runs").text
    screenshot(officer, "health")


def test_html_names_stay_inert_on_every_page(officer, base):
    from selenium.webdriver.common.by import By

    for mmsi, name in ((271000002, "<IMG SRC=X ONERROR=A"), (271000003, "<SVG/ONLOAD=ALERT()>"),
                       (XSS_CSV_MMSI, "<img src=x onerror=alert(1)>")):
        officer.get(f"{base}/vessel/{mmsi}")
        heading = wait_for(lambda: officer.find_elements(By.CSS_SELECTOR, ".vessel-title h1"), message="title")[0]
        assert heading.text == name
        assert no_alert_dialog(officer) and officer.execute_script(INJECTED_JS) == 0
    officer.get(f"{base}/alerts")
    wait_for(lambda: officer.find_elements(By.CSS_SELECTOR, "#alerts-events tbody tr"), message="alerts")
    assert "<img src=x onerror=alert(1)>" in officer.find_element(By.ID, "alerts-events").text
    assert no_alert_dialog(officer) and officer.execute_script(INJECTED_JS) == 0


def test_an_unreachable_tile_server_still_shows_the_vessels(world):
    from dashboards import create_app

    settings = DashboardSettings(tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png", tile_attribution="unreachable")
    with served(create_app(world.url, settings=settings, secret_key=SECRET)) as url:
        driver = new_driver()
        try:
            sign_in(driver, url, "olga", PASSWORDS["olga"])
            driver.get(f"{url}/")
            state = wait_for_map(driver, at_least=world.vessels)
            assert state["points"] == world.vessels and state["drawn"] > 0
            raster = driver.execute_script(
                "const gd = document.querySelector('#live-map .js-plotly-plot');"
                "return gd.layout.map.layers.filter(l => l.sourcetype === 'raster').length")
            assert raster == 1
            screenshot(driver, "live-unreachable-tiles")
        finally:
            driver.quit()


def test_only_an_admin_sees_the_users_page(officer, base):
    from selenium.webdriver.common.by import By

    officer.get(f"{base}/health")
    wait_for(lambda: officer.find_elements(By.ID, "health-runs"), message="health page")
    assert not officer.find_elements(By.ID, "nav-users")
    driver = new_driver()
    try:
        sign_in(driver, base, "adam", PASSWORDS["adam"])
        driver.get(f"{base}/users")
        table = wait_for(lambda: driver.find_elements(By.ID, "users-table"), message="accounts")[0]
        assert "olga" in table.text and driver.find_elements(By.ID, "nav-users")
        screenshot(driver, "users-admin")
    finally:
        driver.quit()


def test_vessel_track_plays_back(officer, base, world):
    from selenium.webdriver.common.by import By
    from sqlalchemy import func

    from maritime.store.schema import PositionRow

    busiest = db_row(world.url, select(PositionRow.mmsi).group_by(PositionRow.mmsi)
                     .order_by(func.count().desc()).limit(1)).mmsi
    officer.get(f"{base}/vessel/{busiest}")
    def shown_time():
        found = officer.find_elements(By.ID, "vessel-time")
        return found[0].text if found else ""

    shown = wait_for(shown_time, message="playback time")
    wait_for(lambda: officer.find_elements(By.ID, "vessel-play"), message="play button")[0].click()
    wait_for(lambda: shown_time() not in ("", shown), message="playback moves")
    wait_for(lambda: officer.execute_script(
        "const g = document.querySelector('#vessel-map .js-plotly-plot');"
        "return g?.data?.[1]?.lat?.length < g?.data?.[0]?.lat?.length"), message="travelled part shorter")
    screenshot(officer, "vessel-playback")
    officer.find_element(By.ID, "vessel-play").click()  # pause
