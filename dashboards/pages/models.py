"""Models: registered anomaly-model versions and their evaluation figures side by side; analysts train,
compare, promote and roll back (checked on the server, whatever the page shows)."""

from __future__ import annotations

from datetime import timedelta

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboards import data
from dashboards.auth import Forbidden, current_user, require
from dashboards.components import card, empty_state, page_header, table
from dashboards.text import clean, fmt_duration, fmt_number, fmt_time
from dashboards.training import train_command_available
from maritime.errors import MaritimeError
from maritime.store import dashboard_queries as queries
from maritime import model_registry

dash.register_page(__name__, path="/models", name="Models", title="Models · Black Sea maritime monitor", order=2)

MAX_METRIC_COLUMNS = 6
# the figures an analyst compares first (models/ writes them under metrics); others follow in the comparison
PREFERRED_METRICS = ("heldout.pr_auc.overall", "heldout.recall.overall", "heldout.false_alarms_per_1000_vessel_hours",
                     "calibration.target_per_1000_vessel_hours", "critical_threshold")
METRIC_LABELS = {"heldout.pr_auc.overall": "PR-AUC (held out)", "heldout.recall.overall": "Recall (held out)",
                 "heldout.false_alarms_per_1000_vessel_hours": "False alarms / 1,000 vessel-h",
                 "calibration.target_per_1000_vessel_hours": "Target / 1,000 vessel-h",
                 "critical_threshold": "Critical threshold"}


def flat_metrics(metrics: dict | None, prefix: str = "") -> dict[str, float]:
    """Nested metrics as dotted names → numbers (other values left out)."""
    flat: dict[str, float] = {}
    for key, value in (metrics or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flat_metrics(value, f"{name}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            flat[name] = value
    return flat


def metric_names(versions: list[dict]) -> list[str]:
    """Numeric metrics across all versions: the preferred ones first, then the rest in first-seen order."""
    seen: list[str] = []
    for v in versions:
        seen += [k for k in flat_metrics(v.get("metrics")) if k not in seen]
    return [m for m in PREFERRED_METRICS if m in seen] + [m for m in seen if m not in PREFERRED_METRICS]


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name, name)


def versions_table(versions: list[dict]):
    metrics = metric_names(versions)[:MAX_METRIC_COLUMNS]
    columns = [
        ("", lambda v: html.Span("● active", className="active-mark") if v["active"] else ""),
        ("Version", lambda v: html.B(v["version"])), ("Estimator", lambda v: v["estimator"]),
        ("Created", lambda v: f"{fmt_time(v['created_at'])} by {v['created_by'] or '—'}"),
        ("Trained on", lambda v: f"{fmt_time(v['train_since'])} – {fmt_time(v['train_until'])}"),
        *((metric_label(m), (lambda key: lambda v: fmt_number(flat_metrics(v["metrics"]).get(key), 3))(m))
          for m in metrics),
        ("Threshold", lambda v: fmt_number(v["threshold"], 3)),
        ("Promoted", lambda v: f"{fmt_time(v['promoted_at'])} by {v['promoted_by']}" if v["promoted_at"] else "—"),
    ]
    return table(columns, versions, id="models-versions", numeric=(*map(metric_label, metrics), "Threshold"),
                 row_class=lambda v: "is-active" if v["active"] else "")


def comparison(versions: list[dict], chosen: list[str]):
    picked = [v for v in versions if v["version"] in (chosen or [])]
    if len(picked) < 2:
        return html.P("Choose two or more versions to compare their figures.", className="muted")
    rows = [{"metric": metric_label(m), **{v["version"]: flat_metrics(v["metrics"]).get(m) for v in picked}}
            for m in metric_names(picked)]
    rows += [{"metric": "threshold", **{v["version"]: v["threshold"] for v in picked}}]
    columns = [("Metric", lambda r: r["metric"])] + [
        (v["version"], (lambda key: lambda r: fmt_number(r.get(key), 3))(v["version"])) for v in picked]
    return table(columns, rows, id="models-compare", numeric=[v["version"] for v in picked])


ESTIMATOR_OPTIONS = [
    {"label": "Gradient boosting: learns from acknowledged and dismissed events", "value": "gbm"},
    {"label": "Isolation forest: needs no labels", "value": "iforest"},
]


def _actions(versions: list[dict]):
    user = current_user()
    allowed = user is not None and user.can("promote")
    trainable = train_command_available()
    newest = data.read(queries.newest_report_time)
    since = newest - timedelta(hours=24) if newest else None
    note = None if allowed else html.P(
        f"Training, promotion and rollback need the analyst role; you are signed in as "
        f"{user.role if user else 'nobody'}.", className="notice", id="models-role-note")
    promote = html.Div([
        dcc.Dropdown(id="models-version", options=[v["version"] for v in versions], placeholder="Version",
                     disabled=not allowed or not versions, style={"minWidth": "180px"}),
        html.Button("Promote", id="models-promote", className="button", disabled=not allowed or not versions),
        html.Button("Roll back", id="models-rollback", className="button secondary",
                    disabled=not allowed or not versions),
    ], className="row")
    train = html.Div([
        html.Div([html.Label("Train from (UTC)", className="filter-label"),
                  dcc.Input(id="models-since", className="text-input", value=f"{since:%Y-%m-%dT%H:%M}" if since else "",
                            disabled=not allowed or not trainable)], className="filter"),
        html.Div([html.Label("until (UTC)", className="filter-label"),
                  dcc.Input(id="models-until", className="text-input", value=f"{newest:%Y-%m-%dT%H:%M}" if newest
                            else "", disabled=not allowed or not trainable)], className="filter"),
        html.Div([html.Label("estimator", className="filter-label"),
                  dcc.Dropdown(id="models-estimator", options=ESTIMATOR_OPTIONS, value="gbm", clearable=False,
                               disabled=not allowed or not trainable, style={"minWidth": "330px"})],
                 className="filter"),
        html.Button("Train a new version", id="models-train", className="button",
                    disabled=not allowed or not trainable or newest is None),
    ], className="filters-row")
    train_note = None if trainable else html.P(
        "Training from the dashboard runs `maritime train`, which this installation does not have yet.",
        className="muted small")
    return card("Analyst actions", html.Div([note, html.Div("Promote or roll back", className="filter-label"), promote,
                                             html.Div("Train", className="filter-label", style={"marginTop": "14px"}),
                                             train, train_note, html.Div(id="models-message"),
                                             html.Div(id="models-training")], className="stack"))


def listing(versions: list[dict]):
    if not versions:
        return empty_state("No model trained yet.", "Until an analyst trains and promotes a model, anomaly events "
                                                    "come from the rule detectors only.")
    return html.Div(versions_table(versions), className="table-wrap")


def layout(**_):
    versions = data.read(queries.model_versions)
    active = next((v["version"] for v in versions if v["active"]), None)
    subtitle = (f"{len(versions):,} versions; active: {active}" if active else
                f"{len(versions):,} versions; none active" if versions else None)
    return html.Div([
        page_header("Models", subtitle or "Anomaly models registered for the pipeline."),
        card("Versions", html.Div(listing(versions), id="models-listing")),
        card("Compare", html.Div([
            dcc.Dropdown(id="models-compare-pick", options=[v["version"] for v in versions], multi=True,
                         placeholder="Versions to compare", value=[v["version"] for v in versions[:2]]),
            html.Div(id="models-compare-table", style={"marginTop": "10px"})])),
        _actions(versions),
        dcc.Interval(id="models-poll", interval=2000, disabled=True),
    ])


@callback(Output("models-compare-table", "children"), Input("models-compare-pick", "value"))
def compare(chosen):
    chosen = [c for c in chosen if isinstance(c, str)] if isinstance(chosen, list) else []
    return comparison(data.read(queries.model_versions), chosen)


def change_active(action: str, version: str | None) -> tuple[bool, str]:
    """Promote ``version`` or roll back, if the signed-in role may; (done, message)."""
    try:
        user = require(action)
    except Forbidden as exc:
        return False, f"Refused: {exc}."
    try:
        if action == "promote":
            if not isinstance(version, str) or not version:
                return False, "Choose a version to promote."
            entry = data.write(model_registry.promote, version, user.name)
            return True, f"{entry.version} is now the active model (promoted by {user.name})."
        withdrawn, active = data.write(model_registry.rollback, user.name)
        return True, f"Rolled back: {withdrawn.version} withdrawn, {active.version} is active again ({user.name})."
    except MaritimeError as exc:
        return False, str(exc)


@callback(Output("models-message", "children"), Output("models-listing", "children"),
          Input("models-promote", "n_clicks"), Input("models-rollback", "n_clicks"), State("models-version", "value"),
          prevent_initial_call=True)
def promote_or_rollback(_promote, _rollback, version):
    action = "promote" if ctx.triggered_id == "models-promote" else "rollback"
    done, message = change_active(action, version)
    refreshed = listing(data.read(queries.model_versions)) if done else no_update
    return html.P(message, className=f"notice {'ok' if done else 'error'}"), refreshed


def _parse(text: str | None):
    from maritime.cli import parse_time

    return parse_time((text if isinstance(text, str) else "").strip() or None)


@callback(Output("models-training", "children", allow_duplicate=True), Output("models-poll", "disabled"),
          Input("models-train", "n_clicks"), State("models-since", "value"), State("models-until", "value"),
          State("models-estimator", "value"), prevent_initial_call=True)
def train(_clicks, since, until, estimator):
    try:
        user = require("train")
        job = data.training().start(user.name, _parse(since), _parse(until),
                                    estimator if isinstance(estimator, str) else "")
    except (Forbidden, MaritimeError, ValueError, TypeError, OSError) as exc:
        return html.P(f"Not started: {exc}.", className="notice error"), True
    return html.P(f"Training started by {job.user}…", className="notice"), False


@callback(Output("models-training", "children"), Output("models-poll", "disabled", allow_duplicate=True),
          Output("models-listing", "children", allow_duplicate=True), Output("models-version", "options"),
          Output("models-compare-pick", "options"), Output("models-version", "disabled"),
          Output("models-promote", "disabled"), Output("models-rollback", "disabled"),
          Input("models-poll", "n_intervals"), prevent_initial_call=True)
def training_progress(_n):
    job = data.training().job
    unchanged = (no_update,) * 6
    if job is None:
        return no_update, True, *unchanged
    lines = html.Pre("\n".join(clean(line, 300) for line in list(job.output)[-12:]) or "(no output yet)",
                     className="evidence")
    if job.running:
        return (html.Div([html.P(f"Training ({job.estimator}) by {job.user}: running for "
                                 f"{fmt_duration(timedelta(seconds=job.seconds))}", className="notice"), lines]),
                False, *unchanged)
    ok = job.returncode == 0
    status = html.P(f"Training {'finished' if ok else f'failed (exit {job.returncode})'} after "
                    f"{fmt_duration(timedelta(seconds=job.seconds))}.", className=f"notice {'ok' if ok else 'error'}")
    if not ok:
        return html.Div([status, lines]), True, *unchanged
    versions = data.read(queries.model_versions)
    names = [v["version"] for v in versions]
    user = current_user()
    locked = user is None or not user.can("promote") or not names  # the first version unlocks the actions
    return html.Div([status, lines]), True, listing(versions), names, names, locked, locked, locked
