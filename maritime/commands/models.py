"""`maritime train` and `maritime models list|show|compare|promote|rollback`: the analysts' model work."""

from __future__ import annotations

import getpass
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

KINDS_SHOWN = ("loitering", "route_deviation", "rendezvous", "overall")


class EstimatorChoice(str, Enum):
    iforest = "iforest"
    gbm = "gbm"


class ShowFormat(str, Enum):
    table = "table"
    json = "json"


def _user() -> Optional[str]:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _figure(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _time(value) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _heldout(entry) -> dict:
    return entry.metrics.get("heldout", {})


def _entry_json(entry) -> dict:
    data = {k: v for k, v in entry.__dict__.items()}
    for key in ("created_at", "train_since", "train_until", "promoted_at"):
        data[key] = data[key].isoformat() + "Z" if data[key] is not None else None
    return data


def _figures_rows(entries) -> list[tuple[str, list[str]]]:
    """(label, one value per entry) rows describing what each model does on its held-out data."""
    rows = [(f"PR-AUC {kind}", [_figure(_heldout(e).get("pr_auc", {}).get(kind)) for e in entries])
            for kind in KINDS_SHOWN]
    rows += [(f"recall {kind}", [_figure(_heldout(e).get("recall", {}).get(kind)) for e in entries])
             for kind in KINDS_SHOWN]
    rows += [
        ("false alarms / 1000 vessel-h", [_figure(_heldout(e).get("false_alarms_per_1000_vessel_hours"))
                                          for e in entries]),
        ("target / 1000 vessel-h", [_figure(e.metrics.get("calibration", {}).get("target_per_1000_vessel_hours"))
                                    for e in entries]),
        ("threshold", [_figure(e.threshold, 4) for e in entries]),
        ("critical threshold", [_figure(e.metrics.get("critical_threshold"), 4) for e in entries]),
        ("held-out windows", [str(_heldout(e).get("windows", "-")) for e in entries]),
        ("held-out positives", [str(_heldout(e).get("positives", {}).get("overall", "-")) for e in entries]),
        ("training windows", [str(e.metrics.get("train", {}).get("windows", "-")) for e in entries]),
        ("training anomalous", [str(e.metrics.get("train", {}).get("anomalous", "-")) for e in entries]),
    ]
    return rows


def register(app: typer.Typer) -> None:
    from maritime.cli import console, engine, handle_errors, out, parse_time

    models_app = typer.Typer(help="The model registry: list, show, compare, promote, roll back.",
                             no_args_is_help=True)
    app.add_typer(models_app, name="models")

    @app.command()
    @handle_errors
    def train(
        since: Annotated[Optional[str], typer.Option(help="Train on data from this time (ISO 8601, UTC).")] = None,
        until: Annotated[Optional[str], typer.Option(help="Train on data before this time (ISO 8601, UTC).")] = None,
        labels: Annotated[Optional[list[Path]], typer.Option(
            "--labels", exists=True, dir_okay=False, readable=True,
            help="Ground-truth labels (JSON Lines, `maritime simulate`'s labels.jsonl format); repeatable.")] = None,
        estimator: Annotated[EstimatorChoice, typer.Option(
            help="gbm: gradient boosting on labelled anomalies plus a reference sample; iforest: the "
                 "IsolationForest baseline.")] = EstimatorChoice.gbm,
        false_alarms: Annotated[Optional[float], typer.Option(
            "--false-alarms-per-1000h", min=0.0,
            help="Calibrate the threshold to this many false alarms per 1,000 vessel-hours of held-out data "
                 "(default: MARITIME_MODELS_FALSE_ALARMS_PER_1000_VESSEL_HOURS, 1.0).")] = None,
        feedback: Annotated[bool, typer.Option(
            "--feedback/--no-feedback", help="Use analysts' acknowledged and dismissed events as labels.")] = True,
        seed: Annotated[int, typer.Option(help="Random seed for the estimator.")] = 0,
        created_by: Annotated[Optional[str], typer.Option(
            "--created-by", help="Who asked for this version, kept with it (default: your login name).")] = None,
        promote_it: Annotated[bool, typer.Option("--promote", help="Make the new version active.")] = False,
        notes: Annotated[Optional[str], typer.Option(help="A note kept with the version.")] = None,
    ) -> None:
        """Train a behaviour model on stored tracks, calibrate it on the latest part of the window, evaluate
        it per behaviour kind and register it (inactive unless --promote)."""
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from maritime.config import load_settings
        from models.training import STEPS, train as train_model

        settings = load_settings().models
        if false_alarms is not None:
            settings = settings.model_copy(update={"false_alarms_per_1000_vessel_hours": false_alarms})
        store = engine()
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as progress:
            task = progress.add_task("training", total=len(STEPS))

            def step(name: str) -> None:
                progress.update(task, description=name, completed=STEPS.index(name))

            report = train_model(store, settings, since=parse_time(since), until=parse_time(until),
                                 label_paths=tuple(labels or ()), estimator=estimator.value, use_feedback=feedback,
                                 random_state=seed, created_by=created_by or _user(), notes=notes, promote_after=promote_it,
                                 progress=step)
        entry = report.entry
        held = _heldout(entry)
        pr = held.get("pr_auc", {})
        out.print(f"{entry.version} ({entry.estimator}) trained in {report.seconds:.1f} s on "
                  f"{entry.metrics['train']['windows']:,} windows, held out {held.get('windows', 0):,}"
                  f"{'; active' if report.promoted else ''}")
        out.print("held-out PR-AUC: " + "  ".join(f"{k} {_figure(pr.get(k))}" for k in KINDS_SHOWN))
        out.print(f"threshold {entry.threshold:.4f}: {_figure(held.get('false_alarms_per_1000_vessel_hours'))} "
                  f"false alarms per 1,000 vessel-hours (target "
                  f"{entry.metrics['calibration']['target_per_1000_vessel_hours']:g}), recall "
                  f"{_figure(held.get('recall', {}).get('overall'))}")
        out.print(f"file {entry.path}")

    @models_app.command("list")
    @handle_errors
    def list_models(
        fmt: Annotated[ShowFormat, typer.Option("--format", help="A table or JSON Lines.")] = ShowFormat.table,
    ) -> None:
        """Every registered version, oldest first; the active one is marked."""
        from maritime.model_registry import list_versions

        with engine().connect() as connection:
            entries = list_versions(connection)
        if fmt is ShowFormat.json:
            for entry in entries:
                out.print_json(json.dumps(_entry_json(entry), default=str), indent=None)
            return
        if not entries:
            out.print("no models yet: `maritime train --labels labels.jsonl`")
            return
        table = Table("version", "active", "estimator", "created (UTC)", "trained on (UTC)", "PR-AUC", "FA/1000 h",
                      "threshold", "promoted (UTC)", show_edge=False, header_style="bold")
        for e in entries:
            held = _heldout(e)
            table.add_row(e.version, "*" if e.active else "", e.estimator, _time(e.created_at),
                          f"{_time(e.train_since)} – {_time(e.train_until)}",
                          _figure(held.get("pr_auc", {}).get("overall")),
                          _figure(held.get("false_alarms_per_1000_vessel_hours"), 2), _figure(e.threshold, 4),
                          _time(e.promoted_at))
        out.print(table)

    @models_app.command()
    @handle_errors
    def show(
        version: Annotated[str, typer.Argument(help="A version, e.g. v3.")],
        fmt: Annotated[ShowFormat, typer.Option("--format", help="A table or JSON.")] = ShowFormat.table,
    ) -> None:
        """Everything recorded about one version: file, training window, data hash, libraries, figures."""
        from maritime.model_registry import get_version

        with engine().connect() as connection:
            e = get_version(connection, version)
        if fmt is ShowFormat.json:
            out.print_json(json.dumps(_entry_json(e), default=str))
            return
        table = Table(show_header=False, show_edge=False)
        for label, value in (
            ("version", f"{e.version}{' (active)' if e.active else ''}"), ("estimator", e.estimator),
            ("created", f"{_time(e.created_at)} by {e.created_by or '-'}"),
            ("promoted", f"{_time(e.promoted_at)} by {e.promoted_by or '-'}" if e.promoted_at else "-"),
            ("trained on", f"{_time(e.train_since)} – {_time(e.train_until)}; held out from "
                           f"{e.metrics.get('holdout_from', '-')}"),
            ("labels", ", ".join(f"{k} {v}" for k, v in e.metrics.get("labels", {}).items()) or "none"),
            ("file", e.path), ("sha256", e.sha256), ("data hash", e.data_hash),
            ("libraries", ", ".join(f"{k} {v}" for k, v in e.library_versions.items())),
            ("features", ", ".join(e.features)), ("notes", e.notes or "-"),
        ):
            table.add_row(Text(label, style="bold"), value)
        for label, (value,) in _figures_rows([e]):
            table.add_row(Text(label, style="bold"), value)
        out.print(table)

    @models_app.command()
    @handle_errors
    def compare(
        first: Annotated[str, typer.Argument(help="A version.")],
        second: Annotated[str, typer.Argument(help="Another version.")],
    ) -> None:
        """Two versions side by side: held-out figures, training window, data, features."""
        from maritime.model_registry import get_version

        with engine().connect() as connection:
            a, b = get_version(connection, first), get_version(connection, second)
        table = Table("", a.version, b.version, "difference", show_edge=False, header_style="bold")
        table.add_row("estimator", a.estimator, b.estimator, "")
        table.add_row("trained on", f"{_time(a.train_since)} – {_time(a.train_until)}",
                      f"{_time(b.train_since)} – {_time(b.train_until)}", "")
        table.add_row("data hash", a.data_hash[:12], b.data_hash[:12],
                      "same data" if a.data_hash == b.data_hash else "different data")
        for label, (x, y) in _figures_rows([a, b]):
            try:
                delta = f"{int(y) - int(x):+d}" if x.isdigit() and y.isdigit() else f"{float(y) - float(x):+.3f}"
            except ValueError:
                delta = ""
            table.add_row(label, x, y, delta)
        only_a, only_b = set(a.features) - set(b.features), set(b.features) - set(a.features)
        table.add_row("features", str(len(a.features)), str(len(b.features)),
                      "same" if not (only_a or only_b) else
                      f"only in {a.version}: {', '.join(sorted(only_a)) or '-'}; only in {b.version}: "
                      f"{', '.join(sorted(only_b)) or '-'}")
        out.print(table)

    @models_app.command()
    @handle_errors
    def promote(
        version: Annotated[str, typer.Argument(help="The version to make active.")],
    ) -> None:
        """Make VERSION the single active model; the pipeline's next run scores with it."""
        from maritime.model_registry import promote as promote_version

        with engine().begin() as connection:
            entry = promote_version(connection, version, _user())
        out.print(f"{entry.version} ({entry.estimator}) is now the active model")

    @models_app.command()
    @handle_errors
    def rollback() -> None:
        """Withdraw the active model and re-activate the one promoted before it."""
        from maritime.model_registry import rollback as rollback_version

        with engine().begin() as connection:
            withdrawn, active = rollback_version(connection, _user())
        out.print(f"{withdrawn.version} withdrawn; {active.version} ({active.estimator}) is active again")
