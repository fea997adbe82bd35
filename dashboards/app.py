"""The dashboard's app factory: a Dash multi-page app over the store, behind sign-in.

Everything is served from this process (``serve_locally``): Dash's and plotly's scripts, our CSS,
the base map. Nothing is fetched from the internet unless an online tile layer is configured.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import dash
from dash import html
from sqlalchemy import Engine

from flask import Response

from dashboards import basemap, land_image
from dashboards.auth import AuthSettings, install
from dashboards.components import top_bar
from dashboards.data import ENGINE_KEY, TRAINING_KEY, VIEW_KEY, ViewSettings
from dashboards.training import TrainingRunner
from maritime.config import DashboardSettings, load_settings
from maritime.store.db import open_store

HERE = Path(__file__).resolve().parent
TITLE = "Black Sea maritime monitor"


def secret_key_from(settings: DashboardSettings, data_dir: Path) -> str:
    """The configured key, else one made once and kept (mode 0600) in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = data_dir / "dashboard_secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def _layout():
    return html.Div([top_bar(), html.Main(dash.page_container, className="page")], className="app")


def _origin(url: Optional[str]) -> tuple[str, ...]:
    if not url:
        return ()
    parts = urlsplit(url)
    return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme in ("http", "https") and parts.netloc else ()


def _land_image() -> Response:
    body = land_image.land_png(basemap.SEA, basemap.LAND, basemap.COAST)
    return Response(body, mimetype="image/png", headers={"Cache-Control": "private, max-age=86400"})


def create_app(db_url: Optional[str] = None, *, engine: Optional[Engine] = None,
               settings: Optional[DashboardSettings] = None, secret_key: Optional[str] = None) -> dash.Dash:
    """The dashboard over the database at ``db_url`` (migrated to head on first use), or over ``engine``."""
    loaded = load_settings()
    settings = settings or loaded.dashboard
    engine = engine or open_store(db_url or loaded.database_url)
    app = dash.Dash(
        "dashboards", use_pages=True, pages_folder=str(HERE / "pages"), assets_folder=str(HERE / "assets"),
        serve_locally=True, title=TITLE, update_title=None, suppress_callback_exceptions=True,
        include_pages_meta=False, eager_loading=True,  # plotly.js loads with the page, not after the layout
    )
    app.layout = _layout
    server = app.server
    server.extensions[ENGINE_KEY] = engine
    server.extensions[VIEW_KEY] = ViewSettings(settings.refresh_s, settings.tile_url, settings.tile_attribution)
    server.extensions[TRAINING_KEY] = TrainingRunner(engine.url.render_as_string(hide_password=False))
    server.add_url_rule(land_image.URL, "land_image", _land_image)
    _take_page_callbacks(app)
    install(server, engine, secret_key or secret_key_from(settings, loaded.data_dir),
            AuthSettings(settings.session_hours, settings.idle_minutes, settings.secure_cookies), app.csp_hashes(),
            _origin(settings.tile_url))
    return app


def _take_page_callbacks(app: dash.Dash) -> None:
    """Run Dash's first-request set-up now (binding the page callbacks registered with ``dash.callback``
    when Dash imported the pages, and the pages router and its inline script), so that a second app made
    in the same process (tests, the benchmark) gets its own callbacks, and the CSP hashes of the inline
    scripts are known before the first page is served. Runs before the sign-in guard is installed."""
    with app.server.test_request_context("/"):
        app.server.preprocess_request()


def serve(app: dash.Dash, host: str = "127.0.0.1", port: int = 8050, threads: int = 8) -> None:
    """Serve with waitress (a production WSGI server; Flask's own is for development)."""
    from waitress import serve as waitress_serve

    waitress_serve(app.server, host=host, port=port, threads=threads, ident="maritime")


__all__ = ["create_app", "serve"]
