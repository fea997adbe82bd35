"""Driving the dashboard in real headless Chromium (Debian's chromium and chromium-driver) with selenium."""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--window-size=1600,1000")

# the live map's plotly graph, its MapLibre map, and what MapLibre has actually drawn
MAP_STATE_JS = """
const gd = document.querySelector('#live-map .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd._fullLayout.map) return null;
const map = gd._fullLayout.map._subplot.map;
const vessels = gd.data.filter(t => t.mode === 'markers' && t.customdata);
const drawn = map.queryRenderedFeatures().filter(f => f.layer.type === 'circle').length;
return {points: vessels.reduce((n, t) => n + t.lat.length, 0), drawn: drawn, loaded: map.loaded()};
"""
VESSEL_PIXEL_JS = """
const gd = document.querySelector('#live-map .js-plotly-plot');
const map = gd._fullLayout.map._subplot.map;
for (const t of gd.data) {
  if (!t.customdata) continue;
  const i = t.customdata.indexOf(arguments[0]);
  if (i >= 0) { const p = map.project([t.lon[i], t.lat[i]]); return [p.x, p.y]; }
}
return null;
"""


def browser_binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is not installed")
    return chromium, driver


def new_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = browser_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(driver))


@contextmanager
def served(app):
    """The app on a free localhost port, in a thread (waitress), for the duration of the block."""
    from waitress import create_server

    server = create_server(app.server, host="127.0.0.1", port=0, threads=6)
    thread = threading.Thread(target=server.run, daemon=True, name="dashboard-under-test")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def wait_for(condition, timeout: float = 20.0, every: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message}")
        time.sleep(every)


def sign_in(driver, base: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
    wait_for(lambda: "/login" not in driver.current_url, message="sign-in")


def map_state(driver) -> dict | None:
    return driver.execute_script(MAP_STATE_JS)


def wait_for_map(driver, at_least: int = 1, timeout: float = 30.0) -> dict:
    def ready():
        state = map_state(driver)
        return state if state and state["loaded"] and state["points"] >= at_least and state["drawn"] else None
    return wait_for(ready, timeout, message="vessels drawn on the map")


def point_at_vessel(driver, mmsi: int, click: bool = False) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    x, y = wait_for(lambda: driver.execute_script(VESSEL_PIXEL_JS, mmsi), message=f"vessel {mmsi} on the map")
    canvas = driver.find_element(By.CSS_SELECTOR, "#live-map canvas.maplibregl-canvas")
    size = canvas.size
    actions = ActionChains(driver).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                               int(y - size["height"] / 2))
    (actions.click() if click else actions).perform()


def hover_text(driver) -> str:
    return driver.execute_script(
        "const h = document.querySelector('#live-map .hoverlayer'); return h ? h.textContent : '';")


def no_alert_dialog(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def severe_console_errors(driver) -> list[str]:
    """Console errors other than failed network requests (a test with an unreachable tile server expects
    those)."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]
            and "net::ERR" not in e["message"]]
