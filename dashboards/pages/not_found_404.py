"""Any address the dashboard does not have."""

import dash
from dash import dcc

from dashboards.components import empty_state

dash.register_page(__name__, path="/404", name="Not found", title="Not found · Black Sea maritime monitor")


def layout(**_):
    return empty_state("There is no such page.", dcc.Link("Back to the live picture", href="/"))
