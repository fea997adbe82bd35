"""Users (administrators only): accounts and their roles; add an account, disable or enable one."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboards import data
from dashboards.auth import Forbidden, current_user, require
from dashboards.components import card, page_header, table
from dashboards.text import fmt_time
from maritime.accounts import ROLES, AccountError
from maritime.store.users import add_user, list_users, set_active

dash.register_page(__name__, path="/users", name="Users", title="Users · Black Sea maritime monitor", order=4)


def accounts_table():
    return html.Div(table([
        ("Name", lambda u: u.name), ("Role", lambda u: u.role), ("Active", lambda u: "yes" if u.active else "no"),
        ("Created", lambda u: fmt_time(u.created_at)), ("Last sign-in", lambda u: fmt_time(u.last_login)),
    ], data.read(list_users), id="users-table"), className="table-wrap")


def layout(**_):
    user = current_user()
    if user is None or not user.can("users"):
        return html.Div([page_header("Users"), html.P("Only administrators manage accounts; your role is "
                                                      f"{user.role if user else 'none'}.", className="notice")])
    return html.Div([
        page_header("Users", "Accounts are also managed with `maritime users add|list|disable|enable`."),
        card("Accounts", html.Div(accounts_table(), id="users-listing")),
        html.Div([
            card("Add an account", html.Div([
                html.Div([html.Label("Name", className="filter-label"),
                          dcc.Input(id="users-name", className="text-input", maxLength=64)], className="filter"),
                html.Div([html.Label("Role", className="filter-label"),
                          dcc.Dropdown(id="users-role", options=list(ROLES), value="officer", clearable=False)],
                         className="filter"),
                html.Div([html.Label("Password (at least 8 characters)", className="filter-label"),
                          dcc.Input(id="users-password", type="password", className="text-input", maxLength=1024)],
                         className="filter"),
                html.Button("Add", id="users-add", className="button"),
            ], className="filters-row")),
            card("Disable or enable", html.Div([
                html.Div([html.Label("Name", className="filter-label"),
                          dcc.Input(id="users-target", className="text-input", maxLength=64)], className="filter"),
                html.Button("Disable", id="users-disable", className="button danger"),
                html.Button("Enable", id="users-enable", className="button secondary"),
            ], className="filters-row")),
        ], className="grid-2"),
        html.Div(id="users-message"),
    ])


def _text(value) -> str:
    """A form value as text; anything else a forged request might send counts as empty."""
    return value.strip() if isinstance(value, str) else ""


def manage(action: str, name: str | None, role: str | None = None, password: str | None = None):
    """Add, disable or enable an account if the signed-in role may; (ok, message)."""
    name, role = _text(name), _text(role)
    password = password if isinstance(password, str) else ""
    try:
        admin = require("users")
        if action == "add":
            data.write(add_user, name, role, password)
            return True, f"{name} ({role}) added by {admin.name}."
        if name == admin.name and action == "disable":
            return False, "You cannot disable your own account."
        data.write(set_active, name, action == "enable")
        return True, f"{name} {'enabled' if action == 'enable' else 'disabled'} by {admin.name}."
    except (Forbidden, AccountError) as exc:
        return False, f"Not done: {exc}."


@callback(Output("users-message", "children"), Output("users-listing", "children"),
          Output("users-password", "value"),
          Input("users-add", "n_clicks"), Input("users-disable", "n_clicks"), Input("users-enable", "n_clicks"),
          State("users-name", "value"), State("users-role", "value"), State("users-password", "value"),
          State("users-target", "value"), prevent_initial_call=True)
def act(_add, _disable, _enable, name, role, password, target):
    action = {"users-add": "add", "users-disable": "disable", "users-enable": "enable"}.get(dash.ctx.triggered_id)
    if action is None:
        return dash.no_update, dash.no_update, dash.no_update
    ok, message = manage(action, name if action == "add" else target, role, password)
    listing = accounts_table() if ok else dash.no_update
    return html.P(message, className=f"notice {'ok' if ok else 'error'}"), listing, ""
