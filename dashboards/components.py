"""Pieces every page uses: the top bar, page headings, empty states, tables, badges. All text passed to
them is rendered by React as text (never as HTML)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Sequence

import dash
from dash import dcc, html
from flask import session

from dashboards.auth import CSRF_FIELD, current_user
from dashboards.text import clean
from dashboards.vocab import SEVERITY_LABELS, STATUS_LABELS

NAV_ORDER = ("Live picture", "Alerts", "Models", "Health", "Users")
ADMIN_PAGES = {"Users"}


def top_bar() -> html.Header:
    user = current_user()
    pages = sorted((p for p in dash.page_registry.values() if p["name"] in NAV_ORDER
                    and (p["name"] not in ADMIN_PAGES or (user is not None and user.can("users")))),
                   key=lambda p: NAV_ORDER.index(p["name"]))
    links = [dcc.Link(p["name"], href=p["relative_path"], className="nav-link", id=f"nav-{p['module'].split('.')[-1]}")
             for p in pages]
    who = []
    if user is not None:
        who = [html.Span([html.Span(user.name, className="user-name"), html.Span(user.role, className="role-chip")],
                         className="user"),
               html.Form([dcc.Input(type="hidden", name=CSRF_FIELD, value=session.get("csrf", "")),
                          html.Button("Sign out", type="submit", className="link-button", id="sign-out")],
                         action="/logout", method="POST", className="sign-out")]
    return html.Header([
        html.Div([html.Span("⚓", className="brand-mark", **{"aria-hidden": "true"}),
                  html.Span("Black Sea maritime monitor", className="brand-name")], className="brand"),
        html.Nav(links, className="nav"),
        html.Div(who, className="who"),
    ], className="top-bar")


def page_header(title: str, subtitle: Any = None, actions: Any = None) -> html.Div:
    return html.Div([html.Div([html.H1(title), html.P(subtitle, className="muted") if subtitle else None]),
                     html.Div(actions, className="page-actions") if actions else None], className="page-header")


def empty_state(title: str, text: Any = None, id: Optional[str] = None) -> html.Div:
    props = {"id": id} if id else {}
    return html.Div([html.P(title, className="empty-title"), html.P(text, className="muted") if text else None],
                    className="empty-state", **props)


def severity_badge(severity: Optional[str]) -> html.Span:
    return html.Span(SEVERITY_LABELS.get(severity, severity or "—"), className=f"badge sev-{severity or 'none'}")


def status_badge(status: str) -> html.Span:
    return html.Span(STATUS_LABELS.get(status, status), className=f"badge status-{status}")


def card(title: str, children: Any, className: str = "") -> html.Section:
    return html.Section([html.H2(title, className="card-title"), children], className=f"card {className}".strip())


def key_values(pairs: Iterable[tuple[str, Any]]) -> html.Dl:
    items = []
    for key, value in pairs:
        items += [html.Dt(key), html.Dd(value if value not in (None, "") else "—")]
    return html.Dl(items, className="key-values")


Column = tuple[str, Callable[[dict], Any]]  # header, cell(row) → text or component


def table(columns: Sequence[Column], rows: Iterable[dict], id: Optional[str] = None, numeric: Sequence[str] = (),
          row_class: Optional[Callable[[dict], str]] = None) -> html.Table:
    numeric = set(numeric)
    head = html.Thead(html.Tr([html.Th(h, className="num" if h in numeric else None) for h, _ in columns]))
    body = html.Tbody([
        html.Tr([html.Td(cell(row), className="num" if h in numeric else None) for h, cell in columns],
                className=row_class(row) if row_class else None)
        for row in rows])
    props = {"id": id} if id else {}
    return html.Table([head, body], className="data-table", **props)


def vessel_label(name: object, mmsi: object) -> str:
    """A vessel's name as text (cleaned, not escaped: components render text), or its MMSI."""
    text = clean(name, 40)
    return text or f"MMSI {mmsi}"
