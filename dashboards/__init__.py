"""The officers' dashboard (Dash): live picture, vessels, alerts, models, health. ``create_app`` builds it."""

from dashboards.app import create_app, serve

__all__ = ["create_app", "serve"]
