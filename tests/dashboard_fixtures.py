"""Fixtures for dashboard tests: a small database (no simulator) and the app with a signed-in test client."""

from __future__ import annotations

import json
import re

import pytest

from tests.dashboard_data import PASSWORDS, build

SECRET = "test-secret-key-" + "x" * 32


@pytest.fixture(scope="session")
def small_db(tmp_path_factory):
    """The HTML-named vessels, events, two model versions and accounts, without simulated traffic."""
    return build(tmp_path_factory.mktemp("dashboard-small"), simulate_traffic=False)


@pytest.fixture(scope="session")
def app(small_db):
    from dashboards import create_app

    return create_app(small_db.url, secret_key=SECRET)


def csrf_from(html_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html_text).group(1)


def sign_in(client, name: str, password: str | None = None):
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": name, "password": password or PASSWORDS[name],
                                       "csrf_token": token})


@pytest.fixture
def client_as(app):
    """client_as(name) → a test client signed in as that user."""
    def make(name: str):
        client = app.server.test_client()
        assert sign_in(client, name).status_code == 302
        return client
    return make


def callback_body(client, output_id: str, inputs: dict, state: dict | None = None,
                  triggered: str | None = None) -> str:
    """The JSON a browser POSTs for the Dash callback that has output ``output_id``."""
    dependency = next(d for d in client.get("/_dash-dependencies").json if f"{output_id}." in d["output"])
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]}
               for o in dependency["output"].strip(".").split("...")]
    return json.dumps({
        "output": dependency["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{**i, "value": inputs.get(i["id"])} for i in dependency["inputs"]],
        "state": [{**s, "value": (state or {}).get(s["id"])} for s in dependency["state"]],
        "changedPropIds": [f"{triggered or next(iter(inputs))}.n_clicks"],
    })


def post_callback(client, body: str):
    token = client.get_cookie("_csrf_token").value
    return client.post("/_dash-update-component", data=body, content_type="application/json",
                       headers={"X-CSRFToken": token})


def call_callback(client, output_id: str, inputs: dict, state: dict | None = None, triggered: str | None = None):
    """POST one Dash callback (found by an output id) as the browser would, CSRF header included."""
    return post_callback(client, callback_body(client, output_id, inputs, state, triggered))
